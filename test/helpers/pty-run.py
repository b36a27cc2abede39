#!/usr/bin/env python3
"""Runs a command in a real pseudo-terminal, as a person's shell would, and types Ctrl-C.

usage: pty-run.py MARKER_REGEX -- CMD ARGS...
Once MARKER_REGEX appears in the output, the byte ^C (0x03) is written to the terminal: the
kernel's line discipline then sends SIGINT to the whole foreground process group, exactly as
pressing Ctrl-C does (not a signal to one pid). Prints the output, then a last line
`PTY-EXIT <code>` (or `PTY-SIGNAL <n>`). Without a marker match within 120 s it types nothing.
"""
import fcntl, os, pty, re, select, struct, sys, termios, time

def main():
    marker = re.compile(sys.argv[1].encode())
    cmd = sys.argv[sys.argv.index('--') + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    # A terminal has a size (a fresh pty is 0x0, which no person's terminal is).
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
    out = b''
    sent = False
    deadline = time.time() + 180
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if not sent and marker.search(out):
            os.write(fd, b'\x03')
            sent = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode('utf-8', 'replace'))
    sys.stdout.write('\nPTY-SENT %s\n' % ('yes' if sent else 'no'))
    if os.WIFEXITED(status):
        sys.stdout.write('PTY-EXIT %d\n' % os.WEXITSTATUS(status))
    else:
        sys.stdout.write('PTY-SIGNAL %d\n' % os.WTERMSIG(status))

main()
