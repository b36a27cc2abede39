/**
 * Looking at and signalling server processes — never one whose command line is not ours.
 * An OS error while looking is a ProcessTableError, never "gone" (see proctable.ts).
 */
import { removeOwned } from '../fs/owned-fs.js';
import { procOps, ProcessTableError, processGone, processState, readCmdline, SERVER_MAIN_CLASS } from './proctable.js';

export { SERVER_MAIN_CLASS };

/** A process's argument list, or undefined when it does not exist (it has exited). */
export async function commandLine(pid: number): Promise<string[] | undefined> {
  if (process.platform === 'linux') return (await readCmdline(pid))?.toString('utf8').split('\0').filter(Boolean);
  // Not Linux: ask ps (the arguments come back joined by spaces). Exit 1 with no output is
  // its "no such process"; anything else it says is an error.
  // execa is imported here, not at the top: it costs ~80 ms, and `status` must start fast.
  const { execa } = await import('execa');
  const ps = await execa('ps', ['-o', 'command=', '-p', String(pid)], { reject: false });
  if (ps.exitCode === 0 && ps.stdout.trim()) return ps.stdout.trim().split(/\s+/);
  if (ps.exitCode === 1 && !ps.stderr.trim()) return undefined;
  throw new ProcessTableError(`ps -p ${pid}`, new Error(ps.stderr.trim() || ps.shortMessage));
}

/** True when the process is alive (a zombie counts as gone); an error when that cannot be told. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    procOps.kill(pid, 0);
  } catch (err) {
    if (processGone(err)) return false;
    // Another user's live process.
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return true;
    throw new ProcessTableError(`kill -0 ${pid}`, err, `tell whether process ${pid} runs`);
  }
  if (process.platform !== 'linux') return true;
  const stat = await processState(pid);
  // No stat file right after kill said it lives: it has just exited.
  return stat !== undefined && stat !== 'Z';
}

/** True when `cmd` is the ZooKeeper server started with this exact config file. */
export function isServerCommand(cmd: string[] | undefined, configPath: string): boolean {
  if (!cmd) return false;
  const at = cmd.indexOf(SERVER_MAIN_CLASS);
  return at >= 0 && cmd.slice(at + 1).join(' ') === configPath;
}

/** True while `pid` is alive and is the server started with `configPath` (not a later reuse of its pid). */
export async function serverRuns(pid: number, configPath: string): Promise<boolean> {
  return isServerCommand(await commandLine(pid), configPath) && (await isAlive(pid));
}

export type PidFileState =
  | { state: 'none' }
  | { state: 'ours'; pid: number }
  | { state: 'stale'; pid: number; why: string };

/**
 * What a server's pid file says, checked against the process it names. A hint only: the
 * process table decides what runs; this is for reporting and removing stale files. A pid
 * file that cannot be read (other than missing) is an error, not "none".
 */
export async function readPidFile(pidFile: string, configPath: string): Promise<PidFileState> {
  let raw: Buffer;
  try {
    raw = await procOps.readFile(pidFile);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'none' };
    throw new ProcessTableError(pidFile, err, 'read the pid file');
  }
  const text = raw.toString('utf8');
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

/**
 * Sends a signal to a process after checking once more that it is this server. False when it
 * is not (any more); an error when the signal cannot be sent for another reason.
 */
export async function signalServer(pid: number, configPath: string, signal: NodeJS.Signals): Promise<boolean> {
  if (!isServerCommand(await commandLine(pid), configPath)) return false;
  try {
    procOps.kill(pid, signal);
    return true;
  } catch (err) {
    if (processGone(err)) return false;
    throw new ProcessTableError(`kill -${signal.replace(/^SIG/, '')} ${pid}`, err, `send ${signal} to server process ${pid}`);
  }
}

/** Waits until the process is gone; false on timeout. Polls because a non-child cannot be awaited. */
export async function waitGone(pid: number, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  return waitUntil(() => isAlive(pid).then((alive) => !alive), timeoutMs, intervalMs);
}

/**
 * Waits until `pid` is no longer the server of `configPath` (it exited, or — after it exited —
 * its pid went to another program); false on timeout. Errors reading the table propagate.
 */
export async function waitServerGone(pid: number, configPath: string, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  return waitUntil(() => serverRuns(pid, configPath).then((runs) => !runs), timeoutMs, intervalMs);
}

async function waitUntil(done: () => Promise<boolean>, timeoutMs: number, intervalMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return done();
}
