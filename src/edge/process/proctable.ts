/**
 * The process table, read-only: which ZooKeeper servers (and zkpseudo helpers) are alive, and
 * which sockets a process holds. This — not a pid file — is how every command knows what runs
 * (SPEC §11). Linux reads /proc; elsewhere `ps` answers (paths with spaces are then matched by
 * suffix, the best ps can do).
 *
 * Every read either returns the truth or throws a ProcessTableError (exit 2) naming the path
 * and the errno. Only ENOENT/ESRCH on one process's own file means "that process has just
 * exited"; an unreadable table (EMFILE, EACCES, EIO, …) is never taken for an empty one, so
 * `down` cannot report "stopped" and `ls` cannot say "stopped" for servers that still run.
 */
import { readdir as fsReaddir, readFile as fsReadFile, readlink as fsReadlink } from 'node:fs/promises';
import { ExitCode, ZkpseudoError } from '../../errors.js';

export const SERVER_MAIN_CLASS = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

/** Put on every server's JVM command line, so `gc` can tell our servers from anyone else's. */
export const SERVER_MARKER = '-Dzkpseudo.server=1';

/**
 * The OS calls the process table is read with (here and in process.ts), as one object, so
 * tests can make any of them fail with any errno (`vi.spyOn(procOps, 'readFile')`).
 */
export const procOps = {
  readdir: (dir: string): Promise<string[]> => fsReaddir(dir),
  readFile: (file: string): Promise<Buffer> => fsReadFile(file),
  readlink: (link: string): Promise<string> => fsReadlink(link),
  kill: (pid: number, signal: NodeJS.Signals | 0): true => process.kill(pid, signal),
};

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

/** True for the errors that mean "this one process is not there (any more)". */
export function processGone(err: unknown): boolean {
  const code = errnoOf(err);
  return code === 'ENOENT' || code === 'ESRCH';
}

const hidden = 'zkpseudo must read other processes\' command lines (/proc mounted with hidepid, or a sandbox such as a restricted container, prevents it); run it where /proc is readable.';

/** Plain words and a remedy for each errno a read of the process table can meet. */
const ERRNO: Record<string, { why: string; hint: (p: string) => string }> = {
  EMFILE: { why: 'too many open files', hint: () => 'This process hit its open-file limit: raise it (`ulimit -n 4096`) and run the command again.' },
  ENFILE: { why: 'the system has too many open files', hint: () => 'Close some programs or raise the system-wide limit (fs.file-max), then run the command again.' },
  EACCES: { why: 'permission denied', hint: (p) => (p.startsWith('/proc') ? hidden : `Make ${p} readable for you, then run the command again.`) },
  EPERM: { why: 'the operation is not permitted', hint: (p) => (p.startsWith('/proc') ? hidden : `Check the permissions of ${p}.`) },
  EIO: { why: 'an I/O error', hint: () => 'Run the command again; if it persists, look at `dmesg`.' },
  ENOMEM: { why: 'out of memory', hint: () => 'The system is out of memory: free some (stop other programs) and run the command again.' },
  EAGAIN: { why: 'the resource is temporarily unavailable', hint: () => 'Run the command again in a moment.' },
  EINTR: { why: 'the read was interrupted', hint: () => 'Run the command again.' },
  ENOENT: { why: 'it does not exist', hint: (p) => (p === '/proc' ? 'Mount /proc (`mount -t proc proc /proc`), then run the command again.' : 'Run the command again.') },
};

/**
 * The process table (or a pid file, or a signal) could not be read or sent, so nothing can be
 * said about what runs: an error, never an answer such as "no such process".
 */
export class ProcessTableError extends ZkpseudoError {
  readonly path: string;
  readonly code: string | undefined;
  constructor(target: string, cause: unknown, doing = 'read the process table') {
    const code = errnoOf(cause);
    const known = code ? ERRNO[code] : undefined;
    const why = known ? `${known.why} (${code})` : code ? `${(cause as Error).message}` : String((cause as Error)?.message ?? cause);
    super(
      `Cannot ${doing} (${target}): ${why}.`,
      `${known ? known.hint(target) : 'Run the command again.'} Nothing was reported as stopped or gone on a guess.`,
      ExitCode.failed,
      { cause },
    );
    this.name = 'ProcessTableError';
    this.path = target;
    this.code = code;
  }
}

/** A read of the table itself: any error is a ProcessTableError. */
async function readTable<T>(target: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new ProcessTableError(target, err);
  }
}

/**
 * A read of one process's own file: undefined when the process has exited (ENOENT, ESRCH),
 * a ProcessTableError for anything else.
 */
export async function readOfProcess<T>(target: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (processGone(err)) return undefined;
    throw new ProcessTableError(target, err);
  }
}

export interface ProcessInfo {
  pid: number;
  argv: string[];
}

export interface ServerProcess {
  pid: number;
  /** The zoo.cfg path the server was started with (the argument after QuorumPeerMain). */
  config: string;
  /** True when zkpseudo started it (its command line carries SERVER_MARKER). */
  ours: boolean;
  /** Linux process state letter (R, S, T for stopped/paused, Z for zombie); undefined off Linux. */
  state?: string;
}

async function procPids(): Promise<number[] | undefined> {
  if (process.platform !== 'linux') return undefined;
  const entries = await readTable('/proc', () => procOps.readdir('/proc'));
  return entries.filter((d) => /^\d+$/.test(d)).map(Number);
}

/** A process's raw command line (NUL-separated arguments); undefined once it has exited. */
export async function readCmdline(pid: number): Promise<Buffer | undefined> {
  const file = `/proc/${pid}/cmdline`;
  return readOfProcess(file, () => procOps.readFile(file));
}

/** Every process whose argument list contains `needle`, with its arguments. */
export async function processesWith(needle: string): Promise<ProcessInfo[]> {
  const pids = await procPids();
  if (pids) {
    const found = await Promise.all(pids.map(async (pid) => {
      const raw = await readCmdline(pid);
      // cmdline bytes are the raw argv, decoded as UTF-8 once we know it matters.
      if (!raw?.includes(needle)) return undefined;
      return { pid, argv: raw.toString('utf8').split('\0').filter(Boolean) };
    }));
    return found.filter((p): p is ProcessInfo => !!p && p.argv.length > 0);
  }
  const { execa } = await import('execa');
  const ps = await execa('ps', ['-axww', '-o', 'pid=,args='], { reject: false });
  if (ps.failed) throw new ProcessTableError('ps -axww', new Error(ps.stderr.trim() || ps.shortMessage));
  return ps.stdout.split('\n').flatMap((line) => {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    return m && m[2]!.includes(needle) ? [{ pid: Number(m[1]), argv: m[2]!.split(/\s+/) }] : [];
  });
}

/** A process's /proc/<pid>/stat line; undefined once it has exited, or off Linux. */
async function statLine(pid: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  const file = `/proc/${pid}/stat`;
  return (await readOfProcess(file, () => procOps.readFile(file)))?.toString('utf8');
}

/** Linux process state letter, or undefined when the process has exited (or off Linux). */
export async function processState(pid: number): Promise<string | undefined> {
  const stat = await statLine(pid);
  return stat ? /^\d+ \(.*\) (\S)/s.exec(stat)?.[1] : undefined;
}

/** Every live ZooKeeper server process on this machine (zombies excluded). */
export async function serverProcesses(): Promise<ServerProcess[]> {
  const procs = await processesWith(SERVER_MAIN_CLASS);
  const servers = await Promise.all(procs.map(async ({ pid, argv }) => {
    const at = argv.indexOf(SERVER_MAIN_CLASS);
    if (at < 0) return undefined;
    const config = argv.slice(at + 1).join(' ');
    const state = await processState(pid);
    if (state === 'Z' || !config) return undefined;
    // Gone between the two reads: it exited, so it is not a live server.
    if (state === undefined && process.platform === 'linux') return undefined;
    return { pid, config, ours: argv.includes(SERVER_MARKER), ...(state ? { state } : {}) };
  }));
  return servers.filter((s): s is ServerProcess => !!s);
}

/** Process start time in clock ticks since boot (Linux), to tell a pid from a later reuse of it. */
export async function startTime(pid: number): Promise<number | undefined> {
  const stat = await statLine(pid);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const t = Number(fields[19]);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Inodes of the sockets listening on each local TCP port (from /proc/net/tcp and tcp6), or
 * undefined when the OS has no such table (not Linux; IPv4 table absent).
 */
export async function listeningSockets(): Promise<Map<number, Set<string>> | undefined> {
  if (process.platform !== 'linux') return undefined;
  const byPort = new Map<number, Set<string>>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    // A kernel without IPv6 has no tcp6 table: nothing listens there.
    const raw = await readOfProcess(table, () => procOps.readFile(table));
    if (raw === undefined) {
      if (table === '/proc/net/tcp') return undefined;
      continue;
    }
    for (const line of raw.toString('utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // State 0A is LISTEN.
      if (cols[3] !== '0A' || !cols[1] || !cols[9]) continue;
      const port = parseInt(cols[1].split(':')[1] ?? '', 16);
      if (!byPort.has(port)) byPort.set(port, new Set());
      byPort.get(port)!.add(cols[9]);
    }
  }
  return byPort;
}

/** Inodes of every socket a process has open (empty once it has exited). */
export async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const dir = `/proc/${pid}/fd`;
  const fds = (await readOfProcess(dir, () => procOps.readdir(dir))) ?? [];
  await Promise.all(fds.map(async (fd) => {
    const link = `${dir}/${fd}`;
    // A descriptor closed meanwhile is ENOENT: it holds no socket any more.
    const target = await readOfProcess(link, () => procOps.readlink(link));
    const inode = target ? /^socket:\[(\d+)\]$/.exec(target)?.[1] : undefined;
    if (inode) inodes.add(inode);
  }));
  return inodes;
}

/**
 * The pid listening on a port, found through /proc; undefined when it cannot be told (not
 * Linux, or the holder is another user's process, whose descriptors this user may not read).
 */
export async function portHolder(port: number, listening?: Map<number, Set<string>>): Promise<number | undefined> {
  const table = listening ?? (await listeningSockets());
  const wanted = table?.get(port);
  if (!wanted?.size) return undefined;
  for (const pid of (await procPids()) ?? []) {
    const inodes = await socketInodes(pid).catch((err: unknown) => {
      // Another user's process: its fd directory is closed to us, which says nothing wrong.
      const code = err instanceof ProcessTableError ? err.code : undefined;
      if (code === 'EACCES' || code === 'EPERM') return new Set<string>();
      throw err;
    });
    for (const i of wanted) if (inodes.has(i)) return pid;
  }
  return undefined;
}
