/**
 * The owner lease (`up --owner PID`): a small detached watcher stops the ensemble's servers
 * when the owner process exits, however it dies (SIGKILL included). It runs in its own
 * session with no pipes to the caller, so it never holds a test runner's event loop open. It
 * ends itself when the lease is ended (`down`) or replaced, or when the ensemble is gone.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { removeOwned, writeOwned } from '../../edge/fs/owned-fs.js';
import { int, nullable, object, readBack, str, type Decoder, type ReadBack } from '../../edge/fs/decode.js';
import { helperScript } from '../../edge/fs/package-files.js';
import { UsageError } from '../../errors.js';
import { commandLine, isAlive } from '../../edge/process/process.js';
import { startTime } from '../../edge/process/proctable.js';
import type { EnsemblePaths } from '../store/layout.js';

/** What owner.json records. */
export interface Lease {
  ownerPid: number;
  /** The owner's start time (Linux clock ticks), so a reused pid is not taken for the owner. */
  ownerStart: number | null;
  token: string;
  watcherPid: number | null;
}

export const WATCHER_FLAG = '--zkpseudo-lease-watcher';
const WATCHER_SCRIPT = 'ensemble/lease/watcher-main.js';

const PID = int(1, 4_194_304, 'a process id');

/** owner.json as takeLease writes it. */
export const LEASE: Decoder<Lease> = object<Lease>({
  ownerPid: PID,
  ownerStart: nullable(int(0, Number.MAX_SAFE_INTEGER, 'a start time in clock ticks')),
  token: str('a lease token (16 hex digits)', /^[0-9a-f]{16}$/),
  watcherPid: nullable(PID),
});

/**
 * owner.json, decoded: missing, the lease, or damaged. With `onNotice`, a damaged record is
 * moved aside and named; without (ls, gc, the watcher) it is left for a command that can say so.
 */
export function readLeaseBack(paths: EnsemblePaths, onNotice?: (text: string) => void): Promise<ReadBack<Lease>> {
  return readBack(paths.ownerFile, LEASE, {
    maxBytes: 4096,
    ...(onNotice ? { report: { root: paths.home, say: onNotice, what: 'The owner lease', then: 'the ensemble has no owner now (`up --owner PID` takes a new lease)' } } : {}),
  });
}

/** The lease, or undefined when there is none or its record is damaged (see readLeaseBack). */
export async function readLease(paths: EnsemblePaths, onNotice?: (text: string) => void): Promise<Lease | undefined> {
  const read = await readLeaseBack(paths, onNotice);
  return read.state === 'ok' ? read.value : undefined;
}

async function writeLease(paths: EnsemblePaths, lease: Lease): Promise<void> {
  await writeOwned(paths.home, paths.ownerFile, `${JSON.stringify(lease)}\n`);
}

/** True while the lease's owner runs (the same process, not a later one with its pid). */
export async function ownerAlive(lease: Pick<Lease, 'ownerPid' | 'ownerStart'>): Promise<boolean> {
  if (!(await isAlive(lease.ownerPid))) return false;
  if (lease.ownerStart === null) return true;
  const now = await startTime(lease.ownerPid);
  // No start time on Linux: it exited just now. Elsewhere there is none to compare.
  if (now === undefined) return process.platform !== 'linux';
  return now === lease.ownerStart;
}

/** Checks an owner pid given by a user: it must be a live process. */
export async function assertOwner(pid: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) {
    throw new UsageError(`--owner ${pid} is not a running process.`, 'Give the pid of the process whose life the ensemble should share (in a shell, $$ is the shell itself).');
  }
}

/**
 * Takes the lease for `ownerPid`, replacing any earlier one (whose watcher then ends itself),
 * and starts the watcher. Done before any server starts, so an owner killed mid-`up` is covered.
 */
export async function takeLease(paths: EnsemblePaths, ownerPid: number): Promise<Lease> {
  const lease: Lease = { ownerPid, ownerStart: (await startTime(ownerPid)) ?? null, token: randomBytes(8).toString('hex'), watcherPid: null };
  await writeLease(paths, lease);
  const child = spawn(process.execPath, [helperScript(WATCHER_SCRIPT), WATCHER_FLAG, paths.home, paths.name, lease.token], { detached: true, stdio: 'ignore' });
  child.unref();
  lease.watcherPid = child.pid ?? null;
  await writeLease(paths, lease);
  return lease;
}

/**
 * Ends the lease: the record goes, and the watcher (checked by its command line) is told to
 * exit. A damaged record is moved aside (said through `onNotice`); its watcher then finds no
 * lease and ends itself.
 */
export async function endLease(paths: EnsemblePaths, onNotice?: (text: string) => void): Promise<void> {
  const lease = await readLease(paths, onNotice);
  await removeOwned(paths.home, paths.ownerFile);
  if (lease?.watcherPid) {
    const cmd = await commandLine(lease.watcherPid);
    if (cmd?.includes(WATCHER_FLAG) && cmd.includes(lease.token)) {
      try { process.kill(lease.watcherPid, 'SIGTERM'); } catch { /* already gone */ }
    }
  }
}
