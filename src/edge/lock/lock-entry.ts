/**
 * What is at a lock's path — nothing, a live holder's lock, a stale one, something undecided,
 * or something that is not a lock at all — read without changing anything (lock.ts changes).
 * Everything there is decoded as untrusted: a link is never followed, a FIFO never blocks, a
 * huge or damaged record is garbage, and only an entry shaped exactly like a lock (a directory
 * holding owner.json, or nothing) may ever be taken over.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { FsError } from '../fs/owned-fs.js';
import { decodeOwner, MAX_OWNER_BYTES, ownerLiveness, type LockOwner } from './lock-owner.js';

export const OWNER_FILE = 'owner.json';

/**
 * What is at a lock's path, and what may be done about it. `identity` (inode and record text)
 * tells this entry from a later one at the same path.
 */
export type Seen =
  | { kind: 'free' }
  | { kind: 'held'; identity: string; owner: LockOwner; stopped: boolean }
  | { kind: 'stale'; identity: string; why: string }
  | { kind: 'unknown'; identity: string; why: string }
  | { kind: 'foreign'; why: string };

/** The errno code of an error, if it has one. */
export const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

/** lstat, undefined when nothing is there; any other error is an FsError naming `entry`. */
export async function lstatOrUndefined(entry: string): Promise<Stats | undefined> {
  try {
    return await lstat(entry);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return undefined;
    throw new FsError('read', entry, err);
  }
}

/** The owner record's text, or why it cannot be one; undefined when it vanished meanwhile. */
export async function readOwnerText(file: string): Promise<{ text: string } | { bad: string } | undefined> {
  let handle;
  try {
    // O_NOFOLLOW: a link is garbage, not a pointer to follow; O_NONBLOCK: a FIFO must not hang us.
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = await handle.stat();
    if (!st.isFile()) return { bad: `${OWNER_FILE} is not a regular file` };
    const buf = Buffer.alloc(MAX_OWNER_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_OWNER_BYTES) return { bad: `${OWNER_FILE} is larger than ${MAX_OWNER_BYTES} bytes` };
    return { text: buf.subarray(0, bytesRead).toString('utf8') };
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'ENXIO') return { bad: `${OWNER_FILE} is not a regular file` };
    throw new FsError('read', file, err);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Looks at `entry` and judges it: free, held by a live process, stale, undecided, or not a lock. */
export async function examine(entry: string, garbageAfterMs: number): Promise<Seen> {
  const st = await lstatOrUndefined(entry);
  if (!st) return { kind: 'free' };
  const ageMs = Math.max(0, Date.now() - st.mtimeMs);
  const garbage = (what: string, identity: string): Seen => ageMs >= garbageAfterMs
    ? { kind: 'stale', identity, why: `${what}, untouched for ${Math.round(ageMs / 1000)} s` }
    : { kind: 'unknown', identity, why: `${what} (it is taken over once ${Math.round(garbageAfterMs / 1000)} s old, in case an older zkpseudo holds it)` };
  if (!st.isDirectory()) {
    const kind = st.isSymbolicLink() ? 'a symbolic link' : st.isFile() ? 'a file' : 'neither a file nor a directory';
    return garbage(`it is ${kind}, not a lock directory`, `${kind}:${st.ino}:${st.mtimeMs}:${st.size}`);
  }
  let names: string[];
  try {
    names = await readdir(entry);
  } catch (err) {
    // Released or replaced between the two looks: look again on the next round.
    if (codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR') return { kind: 'unknown', identity: 'changing', why: 'it changed while being read' };
    throw new FsError('read', entry, err);
  }
  const extra = names.filter((n) => n !== OWNER_FILE);
  if (extra.length) return { kind: 'foreign', why: `it holds ${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', …' : ''}, which a lock never does` };
  if (!names.length) return garbage('it holds no owner record', `dir:${st.ino}:`);
  const ownerFile = path.join(entry, OWNER_FILE);
  if ((await lstatOrUndefined(ownerFile))?.isDirectory()) return { kind: 'foreign', why: `its ${OWNER_FILE} is a directory` };
  const read = await readOwnerText(ownerFile);
  if (!read) return { kind: 'unknown', identity: 'changing', why: 'it changed while being read' };
  if ('bad' in read) return garbage(read.bad, `dir:${st.ino}:${read.bad}`);
  const identity = `dir:${st.ino}:${read.text}`;
  const owner = decodeOwner(read.text);
  if (typeof owner === 'string') return garbage(`its owner record is damaged: ${owner}`, identity);
  const live = await ownerLiveness(owner);
  if (live.state === 'alive') return { kind: 'held', identity, owner, stopped: live.stopped };
  if (live.state === 'dead') return { kind: 'stale', identity, why: live.why };
  return { kind: 'unknown', identity, why: live.why };
}

/** Names zkpseudo gives lock entries: a lock, a reaper, and the private and set-aside directories beside them. */
export const LOCK_NAME = /\.lock(\.reap)?$/;
export const LEFTOVER_NAME = /\.lock(?:\.reap)?\.(\d+)-[0-9a-f]{12}\.(?:new|old)$/;

/** True for a name a lock entry of zkpseudo's has (what `gc` looks at). */
export function isLockEntryName(name: string): boolean {
  return LOCK_NAME.test(name) || LEFTOVER_NAME.test(name);
}

/** True when no process has this pid (a leftover's maker is gone). */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return codeOf(err) === 'ESRCH';
  }
}
