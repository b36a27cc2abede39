/**
 * The owner lease (`up --owner PID`): a small detached watcher stops the ensemble's servers
 * when the owner process exits, however it dies (SIGKILL included). It runs in its own
 * session with no pipes to the caller, so it never holds a test runner's event loop open. It
 * ends itself when the lease is ended (`down`) or replaced, or when the ensemble is gone.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { removeOwned, writeOwned } from '../../edge/owned-fs.js';
import { helperScript } from '../../edge/package-files.js';
import { UsageError } from '../../errors.js';
import { commandLine, isAlive } from '../../edge/process.js';
import { startTime } from '../../edge/proctable.js';
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

export async function readLease(paths: EnsemblePaths): Promise<Lease | undefined> {
  try {
    const lease = JSON.parse(await readFile(paths.ownerFile, 'utf8')) as Lease;
    return Number.isInteger(lease.ownerPid) && typeof lease.token === 'string' ? lease : undefined;
  } catch {
    return undefined;
  }
}

async function writeLease(paths: EnsemblePaths, lease: Lease): Promise<void> {
  await writeOwned(paths.home, paths.ownerFile, `${JSON.stringify(lease)}\n`);
}

/** True while the lease's owner runs (the same process, not a later one with its pid). */
export async function ownerAlive(lease: Pick<Lease, 'ownerPid' | 'ownerStart'>): Promise<boolean> {
  if (!(await isAlive(lease.ownerPid))) return false;
  if (lease.ownerStart === null) return true;
  const now = await startTime(lease.ownerPid);
  return now === undefined || now === lease.ownerStart;
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

/** Ends the lease: the record goes, and the watcher (checked by its command line) is told to exit. */
export async function endLease(paths: EnsemblePaths): Promise<void> {
  const lease = await readLease(paths);
  await removeOwned(paths.home, paths.ownerFile);
  if (lease?.watcherPid) {
    const cmd = await commandLine(lease.watcherPid);
    if (cmd?.includes(WATCHER_FLAG) && cmd.includes(lease.token)) {
      try { process.kill(lease.watcherPid, 'SIGTERM'); } catch { /* already gone */ }
    }
  }
}
