/**
 * Listing and clearing the cache — only what zkpseudo put there. ZKPSEUDO_CACHE may point at a
 * directory shared with other programs (~/.cache, say), so nothing is removed by directory:
 * each entry is recognised by the names zkpseudo gives its own files, a directory is removed
 * only once it is empty, and a symbolic link is never followed (zkpseudo makes none at these
 * places, so one found there is someone else's and is left alone). Every removal goes through
 * the guarded boundary (edge/fs/owned-fs), which refuses anything outside the cache.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { removeStaleLock, withLock } from '../edge/lock/lock.js';
import { removeIfEmpty, removeOwned } from '../edge/fs/owned-fs.js';
import { liveTreeUsers } from './tree-users.js';

/** Tarballs as zkpseudo names them in the cache, with the digests, part files and locks beside them. */
const TOP_LEVEL = /^(apache-)?zookeeper-\d+\.\d+\.\d+[\w.-]*?(-bin)?\.tar\.gz(\.sha512(\.damaged-\d+)?|\.[\w-]+\.part|\.lock)?$/;
/** In system/, urls/ and dirs/: packed or fetched tarballs, their digest records (and damaged ones moved aside), and the leftovers of packing. */
const PACKED = /\.tar\.gz(\.sha512(\.damaged-\d+)?|\.[\w-]+\.(part|staging)|\.lock)?$/;
/** In trees/: one unpacked tree per tarball digest (32 hex digits), its unpacking leftover, lock and users. */
const TREE = /^[0-9a-f]{32}(\.unpacking|\.lock|\.users)?$/;
/** In cds/: class-data-sharing archives, a builder's scratch dir and temp file, locks. */
const CDS = /^([0-9a-f]{32}-[0-9a-f]{16}\.jsa(\.\d+\.tmp|\.lock)?|work-\d+)$/;
/** In cds/quarantine/: archives found damaged or that crashed a JVM, each with the time it was moved there. */
const QUARANTINED = /^[0-9a-f]{32}-[0-9a-f]{16}\.jsa\.\d+$/;
/** In digests/: remembered SHA-512s of tarballs (and damaged ones moved aside). */
const DIGESTS = /^[0-9a-f]{32}\.json(\.[\w-]+\.tmp|\.damaged-\d+)?$/;
const SUBDIRS: Record<string, RegExp> = { system: PACKED, urls: PACKED, dirs: PACKED, trees: TREE, cds: CDS, digests: DIGESTS };
/** Directories zkpseudo makes one level further down, with the shape of what it puts in them. */
const NESTED: Record<string, Record<string, RegExp>> = { cds: { quarantine: QUARANTINED } };

export interface CacheEntry {
  file: string;
  bytes: number;
}

/** Every cached tarball (top level and below system/, urls/, dirs/); links are not followed. */
export async function cachedTarballs(dir: string): Promise<CacheEntry[]> {
  const out: CacheEntry[] = [];
  const look = async (d: string, pattern: RegExp) => {
    if (!(await lstat(d).catch(() => undefined))?.isDirectory()) return;
    for (const name of await readdir(d).catch(() => [] as string[])) {
      if (!name.endsWith('.tar.gz') || !pattern.test(name)) continue;
      const s = await lstat(path.join(d, name)).catch(() => undefined);
      if (s?.isFile()) out.push({ file: path.join(d, name), bytes: s.size });
    }
  };
  await look(dir, TOP_LEVEL);
  for (const sub of ['system', 'urls', 'dirs']) await look(path.join(dir, sub), PACKED);
  return out;
}

/** True for an unpacked tree that is recognisably ZooKeeper (or an unpack in progress, a lock, its users). */
async function isOurTree(full: string, name: string): Promise<boolean> {
  if (/\.(lock|unpacking|users)$/.test(name)) return true;
  return !!(await stat(path.join(full, 'bin', 'zkServer.sh')).catch(() => undefined));
}

export interface ClearResult {
  removed: string[];
  /** Entries zkpseudo did not make (left alone). */
  kept: string[];
  /** Unpacked trees kept because existing ensembles' servers link to them, with one user each. */
  inUse: { tree: string; users: string[] }[];
}

/**
 * Removes what zkpseudo made in `dir`, except the unpacked trees that existing ensembles use,
 * and returns what it removed and what it left. Each tarball and tree is removed under its
 * lock, so an `up` filling the cache at the same moment finishes first (and an `up` that has
 * just recorded itself as a tree's user keeps that tree).
 */
export async function clearCache(dir: string): Promise<ClearResult> {
  const result: ClearResult = { removed: [], kept: [], inUse: [] };
  const remove = async (full: string) => {
    if (full.endsWith('.lock')) {
      // A lock goes only once its holder is gone: removing a live one would let a second
      // download or unpack run beside the one that holds it.
      if (await removeStaleLock(full, dir)) result.removed.push(full);
      else if (await lstat(full).catch(() => undefined)) result.kept.push(full);
      return;
    }
    const lockable = !full.endsWith('.part');
    if (lockable) await withLock(full, `the cached ${path.basename(full)}`, () => removeOwned(dir, full, { recursive: true }), 60_000);
    else await removeOwned(dir, full, { recursive: true });
    result.removed.push(full);
  };
  const removeTree = async (full: string) => {
    await withLock(full, `the unpacked ZooKeeper ${path.basename(full)}`, async () => {
      const users = await liveTreeUsers(dir, full);
      if (users.length) {
        result.inUse.push({ tree: full, users });
        return;
      }
      await removeOwned(dir, full, { recursive: true });
      await removeOwned(dir, `${full}.users`, { recursive: true });
      result.removed.push(full);
    }, 60_000);
  };
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const full = path.join(dir, name);
    const st = await lstat(full).catch(() => undefined);
    const pattern = SUBDIRS[name];
    if (!st || st.isSymbolicLink()) result.kept.push(full);
    else if (TOP_LEVEL.test(name)) await remove(full);
    else if (pattern && st.isDirectory()) {
      const inner = await readdir(full).catch(() => [] as string[]);
      for (const entry of inner) {
        const innerFull = path.join(full, entry);
        const ist = await lstat(innerFull).catch(() => undefined);
        const nested = NESTED[name]?.[entry];
        if (nested && ist?.isDirectory()) {
          for (const leaf of await readdir(innerFull).catch(() => [] as string[])) {
            const leafFull = path.join(innerFull, leaf);
            if (nested.test(leaf) && (await lstat(leafFull).catch(() => undefined))?.isFile()) await remove(leafFull);
            else result.kept.push(leafFull);
          }
          await removeIfEmpty(dir, innerFull);
        }
        else if (!ist || ist.isSymbolicLink() || !pattern.test(entry) || (name === 'trees' && !(await isOurTree(innerFull, entry)))) result.kept.push(innerFull);
        else if (name === 'trees' && /^[0-9a-f]{32}$/.test(entry)) await removeTree(innerFull);
        else if (name === 'trees' && entry.endsWith('.users')) {
          // Goes with its tree; alone (its tree removed by hand) it is a leftover.
          if (!inner.includes(entry.slice(0, -'.users'.length))) await remove(innerFull);
        }
        else await remove(innerFull);
      }
      await removeIfEmpty(dir, full);
    } else result.kept.push(full);
  }
  // The directory itself goes only if nothing is left in it.
  await removeIfEmpty(dir, dir, true);
  return result;
}
