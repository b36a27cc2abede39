/**
 * Cross-process locks: one `up`/`down` per ensemble, one download per tarball, one writer of
 * the port reservations. A lock on `target` is the directory `<target>.lock` holding
 * `owner.json` (see lock-owner.ts); every holder runs on this machine, so a lock is stale
 * exactly when the process it names is gone — never by age while it lives, so a holder stopped
 * with Ctrl-Z keeps its lock and resumes without error.
 *
 * - Taking: the record is written into a private directory, which is then renamed to
 *   `<target>.lock`. rename(2) of a directory fails on an existing non-empty one, so exactly one
 *   contender wins, and a lock is never seen without its record.
 * - Taking over: a dead holder's lock (or an unparseable entry older than `garbageAfterMs`) is
 *   renamed aside and removed by one contender at a time, under `<target>.lock.reap` (a lock of
 *   the same kind). A check by name followed by a rename by name could otherwise remove a lock
 *   another contender has just taken in the stale one's place.
 * - Never hanging: an OS error (read-only, full, permissions, …) is an FsError naming the lock
 *   at once; a wait is bounded, aborted by its AbortSignal, and says who it waits for.
 *
 * Every change goes through owned-fs, rooted at the directory that holds the lock.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError, ZkpseudoError } from '../../errors.js';
import { sleep } from '../sleep.js';
import { FsError, mkdirOwned, removeOwned, renameOwned, writeOwned } from '../fs/owned-fs.js';
import { decodeOwner, heldHere, newOwner, type LockOwner } from './lock-owner.js';
import { examine, isLockEntryName, LEFTOVER_NAME, LOCK_NAME, lstatOrUndefined, OWNER_FILE, pidGone, readOwnerText, type Seen } from './lock-entry.js';

export { isLockEntryName };

const DEFAULT_WAIT_MS = 120_000;
/**
 * An entry without a readable record is taken over once untouched this long: long enough for
 * an older zkpseudo's lock (proper-lockfile's empty directory, refreshed every 2 s) to be
 * respected while it runs.
 */
const DEFAULT_GARBAGE_AFTER_MS = 10_000;

/** A live process holding a lock, as a waiter is told about it. */
export interface LockHolder {
  pid: number;
  /** Its command line (`zkpseudo up 3`). */
  command: string;
  /** True while it is stopped (Ctrl-Z, SIGSTOP): it keeps the lock until it resumes and finishes. */
  stopped: boolean;
  /** The lock directory. */
  lockPath: string;
}

export interface LockOptions {
  /** How long to wait for a live holder, in ms (default 120 000); 0 tries once. */
  waitMs?: number;
  /** Aborting it ends the wait at once with an InterruptedError. */
  signal?: AbortSignal;
  /** Called when the wait for a live holder begins, and again if another process takes over. */
  onWait?: (holder: LockHolder) => void;
  /** Age in ms after which an entry without a readable owner record is taken over (default 10 000). */
  garbageAfterMs?: number;
}

/** `pid N (\`command\`)`, for messages about a holder. */
export function describeHolder(h: Pick<LockHolder, 'pid' | 'command'>): string {
  return `pid ${h.pid} (\`${h.command}\`)`;
}

/** A path where the lock must go that zkpseudo did not make and will not remove. */
export class LockInTheWayError extends ZkpseudoError {
  constructor(entry: string, what: string, why: string) {
    super(`Cannot lock ${what}: ${entry} is in the way (${why}).`, `It is not a lock zkpseudo made, so it was left alone: look at it and move it away, then run the command again.`);
    this.name = 'LockInTheWayError';
  }
}

/** A unique sibling name for a lock's private directory (`new`) or one set aside (`old`). */
const sibling = (entry: string, role: 'new' | 'old') => `${entry}.${process.pid}-${randomBytes(6).toString('hex')}.${role}`;

/** Writes `owner`'s record into a fresh private directory beside `entry`. */
async function prepare(root: string, entry: string, owner: LockOwner): Promise<string> {
  const dir = sibling(entry, 'new');
  try {
    await mkdirOwned(root, dir);
    // Not atomic: nobody looks in this directory until it is renamed into place whole.
    await writeOwned(root, path.join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`, { atomic: false });
  } catch (err) {
    await removeOwned(root, dir, { recursive: true }).catch(() => undefined);
    throw err;
  }
  return dir;
}

/** Renames the prepared directory to `entry`; false when something is there already. */
async function place(root: string, prepared: string, entry: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    // rename(2) would silently replace an empty directory (an older zkpseudo's lock): look first.
    if (await lstatOrUndefined(entry)) return false;
    try {
      await renameOwned(root, prepared, entry);
      return true;
    } catch (err) {
      const code = err instanceof FsError ? err.code : undefined;
      // A non-empty directory was there when rename ran (it may be gone by now: released).
      if (code === 'EEXIST' || code === 'ENOTEMPTY') return false;
      // A file or link was there — or a directory on the way is not one. Look, and try once more.
      if ((code === 'ENOTDIR' || code === 'EISDIR') && attempt === 1) continue;
      throw err;
    }
  }
}

/** Removes our own lock at `entry` (checked by nonce), renaming it aside first so it is never seen half-removed. */
async function letGo(root: string, entry: string, nonce: string): Promise<void> {
  try {
    const read = await readOwnerText(path.join(entry, OWNER_FILE));
    const owner = read && 'text' in read ? decodeOwner(read.text) : undefined;
    if (typeof owner !== 'object' || owner.nonce !== nonce) return;
    const aside = sibling(entry, 'old');
    await renameOwned(root, entry, aside);
    await removeOwned(root, aside, { recursive: true });
  } catch {
    // A lock that cannot be removed (the disk went read-only) is still released: its record
    // names this process, which no longer counts it as held (heldHere), and every other
    // process takes it over once this one exits.
  } finally {
    heldHere.delete(nonce);
  }
}

/**
 * Renames the stale `entry` aside and removes it — if what was renamed is what was judged
 * stale; anything else (another contender's fresh lock) is put straight back.
 */
async function setAside(root: string, entry: string, judged: { identity: string }, garbageAfterMs: number): Promise<void> {
  const aside = sibling(entry, 'old');
  try {
    await renameOwned(root, entry, aside);
  } catch (err) {
    if (err instanceof FsError && err.code === 'ENOENT') return;
    throw err;
  }
  const moved = await examine(aside, garbageAfterMs);
  if ('identity' in moved && moved.identity === judged.identity) {
    await removeOwned(root, aside, { recursive: true });
    return;
  }
  await renameOwned(root, aside, entry).catch(() => undefined);
}

/**
 * Takes over the stale lock at `entry`, one contender at a time: under `<entry>.reap` it looks
 * again and removes the lock only if it is still the stale one it judged. True when the caller
 * should look again at once; false when another contender is at it (wait a round).
 */
async function takeOver(root: string, entry: string, judged: { identity: string }, what: string, garbageAfterMs: number): Promise<boolean> {
  const reaper = `${entry}.reap`;
  const owner = await newOwner();
  const prepared = await prepare(root, reaper, owner);
  let mine = false;
  try {
    heldHere.add(owner.nonce);
    mine = await place(root, prepared, reaper);
  } finally {
    if (!mine) {
      heldHere.delete(owner.nonce);
      await removeOwned(root, prepared, { recursive: true }).catch(() => undefined);
    }
  }
  if (!mine) {
    // Another contender is taking it over right now — or died doing so, leaving its reaper.
    const other = await examine(reaper, garbageAfterMs);
    if (other.kind === 'foreign') throw new LockInTheWayError(reaper, what, other.why);
    if (other.kind === 'stale') await setAside(root, reaper, other, garbageAfterMs);
    return other.kind === 'stale' || other.kind === 'free';
  }
  try {
    const now = await examine(entry, garbageAfterMs);
    if (now.kind === 'stale' && now.identity === judged.identity) await setAside(root, entry, now, garbageAfterMs);
    return true;
  } finally {
    await letGo(root, reaper, owner.nonce);
  }
}


const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function timedOut(what: string, entry: string, seen: Seen, waitMs: number): ZkpseudoError {
  const secs = `${Math.round(waitMs / 100) / 10} s`;
  if (seen.kind === 'held') {
    const { pid } = seen.owner;
    if (seen.stopped) {
      return new ZkpseudoError(
        `The lock on ${what} is held by ${describeHolder(seen.owner)}, which is stopped (Ctrl-Z or SIGSTOP); waited ${secs}.`,
        `Resume it (\`fg\` in its terminal, or \`kill -CONT ${pid}\`) or end it (\`kill ${pid}\`), then run this command again. The lock is ${entry}.`,
      );
    }
    return new ZkpseudoError(
      `The lock on ${what} is held by ${describeHolder(seen.owner)}, still running after ${secs}.`,
      `Wait for that command to finish and run this one again, or end it (\`kill ${pid}\`): its lock goes with it. The lock is ${entry}.`,
    );
  }
  const why = 'why' in seen ? seen.why : 'it stayed taken';
  return new ZkpseudoError(
    `${capitalize(what)} could not be locked within ${secs}: ${entry} ${why.startsWith('it ') ? why.slice(3) : `is there (${why})`}.`,
    `If no zkpseudo command that could hold it is running, remove ${entry}; otherwise run this command again later.`,
  );
}

/** Names the lock in an OS error met while taking it (the boundary names the file it touched). */
function aboutLock(err: unknown, entry: string): unknown {
  if (err instanceof FsError && err.path !== entry) return new FsError(err.op, entry, err.cause);
  return err;
}

/**
 * Removes what processes killed while taking or releasing this lock left beside it (their
 * private and set-aside directories, named by their pid). Best effort: `gc` does it too.
 */
async function sweepLeftovers(root: string, entry: string): Promise<void> {
  const prefix = `${path.basename(entry)}.`;
  const names = await readdir(path.dirname(entry)).catch(() => [] as string[]);
  for (const name of names) {
    const pid = name.startsWith(prefix) ? LEFTOVER_NAME.exec(name)?.[1] : undefined;
    if (pid && pidGone(Number(pid))) await removeOwned(root, path.join(path.dirname(entry), name), { recursive: true }).catch(() => undefined);
  }
}

interface Held {
  release(): Promise<void>;
}

async function acquire(target: string, what: string, o: LockOptions): Promise<Held> {
  const root = path.dirname(target);
  const entry = `${target}.lock`;
  const waitMs = Math.max(0, o.waitMs ?? DEFAULT_WAIT_MS);
  const garbageAfterMs = o.garbageAfterMs ?? DEFAULT_GARBAGE_AFTER_MS;
  const deadline = Date.now() + waitMs;
  const interrupted = () => new InterruptedError(`Waiting for the lock on ${what}`);
  let prepared: string | undefined;
  let owner: LockOwner | undefined;
  let announced: string | undefined;
  try {
    for (let round = 0; ; round++) {
      if (o.signal?.aborted) throw interrupted();
      const seen = await examine(entry, garbageAfterMs);
      if (seen.kind === 'free') {
        owner ??= await newOwner();
        prepared ??= await prepare(root, entry, owner);
        heldHere.add(owner.nonce);
        if (await place(root, prepared, entry)) {
          prepared = undefined;
          await sweepLeftovers(root, entry);
          const nonce = owner.nonce;
          return { release: () => letGo(root, entry, nonce) };
        }
        heldHere.delete(owner.nonce);
        continue;
      }
      if (prepared) {
        // Kept only from one try to the next, so a process killed while it waits leaves nothing.
        await removeOwned(root, prepared, { recursive: true }).catch(() => undefined);
        prepared = undefined;
      }
      if (seen.kind === 'foreign') throw new LockInTheWayError(entry, what, seen.why);
      if (seen.kind === 'stale' && (await takeOver(root, entry, seen, what, garbageAfterMs))) continue;
      if (seen.kind === 'held' && seen.owner.nonce !== announced) {
        announced = seen.owner.nonce;
        o.onWait?.({ pid: seen.owner.pid, command: seen.owner.command, stopped: seen.stopped, lockPath: entry });
      }
      const left = deadline - Date.now();
      if (left <= 0) throw timedOut(what, entry, seen, waitMs);
      // Quick at first (a holder often finishes in milliseconds), then every ~200 ms.
      await sleep(Math.min(left, Math.min(200, 25 * 2 ** round) + Math.random() * 50), o.signal);
      if (o.signal?.aborted) throw interrupted();
    }
  } catch (err) {
    if (owner) heldHere.delete(owner.nonce);
    throw aboutLock(err, entry);
  } finally {
    if (prepared) await removeOwned(root, prepared, { recursive: true }).catch(() => undefined);
  }
}

/**
 * Runs `fn` holding the lock on `target` (the directory `<target>.lock`), waiting up to
 * `waitMs` (or `opts.waitMs`) for a live holder; a dead holder's lock is taken over at once.
 */
export async function withLock<T>(target: string, what: string, fn: () => Promise<T>, opts: number | LockOptions = {}): Promise<T> {
  const held = await acquire(target, what, typeof opts === 'number' ? { waitMs: opts } : opts);
  try {
    return await fn();
  } finally {
    await held.release();
  }
}

/** The live process holding the lock on `target`, or undefined when none does. */
export async function lockHolder(target: string): Promise<LockHolder | undefined> {
  const entry = `${target}.lock`;
  const seen = await examine(entry, DEFAULT_GARBAGE_AFTER_MS);
  return seen.kind === 'held' ? { pid: seen.owner.pid, command: seen.owner.command, stopped: seen.stopped, lockPath: entry } : undefined;
}

/**
 * True when the lock entry at `lockPath` belongs to no live process: its holder is gone, or it
 * is unparseable and old, or it is a leftover of a process that died while taking or
 * releasing a lock. A foreign entry (not made by zkpseudo) is never stale.
 */
export async function isStaleLock(lockPath: string): Promise<boolean> {
  const leftover = LEFTOVER_NAME.exec(path.basename(lockPath));
  if (leftover) return pidGone(Number(leftover[1])) && !!(await lstatOrUndefined(lockPath));
  if (!LOCK_NAME.test(lockPath)) return false;
  return (await examine(lockPath, DEFAULT_GARBAGE_AFTER_MS)).kind === 'stale';
}

/**
 * Removes the lock entry at `lockPath` if it is stale (see isStaleLock), the way a contender
 * would take it over, with every change kept under `root`. True when it was removed.
 */
export async function removeStaleLock(lockPath: string, root: string): Promise<boolean> {
  if (LEFTOVER_NAME.test(path.basename(lockPath))) {
    if (!(await isStaleLock(lockPath))) return false;
    await removeOwned(root, lockPath, { recursive: true });
    return true;
  }
  if (!LOCK_NAME.test(lockPath)) return false;
  const seen = await examine(lockPath, DEFAULT_GARBAGE_AFTER_MS);
  if (seen.kind !== 'stale') return false;
  if (lockPath.endsWith('.reap')) await setAside(root, lockPath, seen, DEFAULT_GARBAGE_AFTER_MS);
  else await takeOver(root, lockPath, seen, lockPath, DEFAULT_GARBAGE_AFTER_MS);
  return (await examine(lockPath, DEFAULT_GARBAGE_AFTER_MS)).kind === 'free';
}
