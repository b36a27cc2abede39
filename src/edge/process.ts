/** Looking at and signalling server processes — never one whose command line is not ours. */
import { readFile } from 'node:fs/promises';
import { removeOwned } from './owned-fs.js';
import { SERVER_MAIN_CLASS } from './proctable.js';

export { SERVER_MAIN_CLASS };

/** A process's argument list, or undefined when it does not exist (or cannot be read). */
export async function commandLine(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux') return undefined;
  }
  // Not Linux, or no /proc: ask ps (the arguments come back joined by spaces).
  // execa is imported here, not at the top: it costs ~80 ms, and `status` must start fast.
  const { execa } = await import('execa');
  const ps = await execa('ps', ['-o', 'command=', '-p', String(pid)], { reject: false });
  return ps.exitCode === 0 && ps.stdout.trim() ? ps.stdout.trim().split(/\s+/) : undefined;
}

/** True when the process is alive (a zombie counts as gone). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return !stat || !/^\d+ \(.*\) Z/s.test(stat);
}

/** True when `cmd` is the ZooKeeper server started with this exact config file. */
export function isServerCommand(cmd: string[] | undefined, configPath: string): boolean {
  if (!cmd) return false;
  const at = cmd.indexOf(SERVER_MAIN_CLASS);
  return at >= 0 && cmd.slice(at + 1).join(' ') === configPath;
}

export type PidFileState =
  | { state: 'none' }
  | { state: 'ours'; pid: number }
  | { state: 'stale'; pid: number; why: string };

/**
 * What a server's pid file says, checked against the process it names. A hint only: the
 * process table decides what runs; this is for reporting and removing stale files.
 */
export async function readPidFile(pidFile: string, configPath: string): Promise<PidFileState> {
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (text === undefined) return { state: 'none' };
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) return { state: 'stale', pid: 0, why: `pid file holds "${text.trim().slice(0, 20)}"` };
  if (!(await isAlive(pid))) return { state: 'stale', pid, why: `process ${pid} is gone` };
  if (!isServerCommand(await commandLine(pid), configPath)) return { state: 'stale', pid, why: `pid ${pid} now belongs to another program` };
  return { state: 'ours', pid };
}

/** Removes a stale pid file (under the ensemble's home), which would otherwise make zkServer.sh refuse to start. */
export async function removePidFile(home: string, pidFile: string): Promise<void> {
  await removeOwned(home, pidFile);
}

/** Sends a signal to a process after checking once more that it is this server. */
export async function signalServer(pid: number, configPath: string, signal: NodeJS.Signals): Promise<boolean> {
  if (!isServerCommand(await commandLine(pid), configPath)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the process is gone; false on timeout. Polls because a non-child cannot be awaited. */
export async function waitGone(pid: number, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return !(await isAlive(pid));
}
