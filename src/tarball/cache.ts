/**
 * Listing and clearing the cache — only what zkpseudo put there. ZKPSEUDO_CACHE may point at a
 * directory shared with other programs (~/.cache, say), so nothing is removed by directory:
 * each entry is recognised by the names zkpseudo gives its own files, and a directory is
 * removed only once it is empty.
 */
import { lstat, readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { removeStaleLock, withLock } from '../edge/lock.js';

/** Tarballs as zkpseudo names them in the cache, with the digests, part files and locks beside them. */
const TOP_LEVEL = /^(apache-)?zookeeper-\d+\.\d+\.\d+[\w.-]*?(-bin)?\.tar\.gz(\.sha512|\.[\w-]+\.part|\.lock)?$/;
/** In system/, urls/ and dirs/: packed or fetched tarballs, their digests, and the leftovers of packing. */
const PACKED = /\.tar\.gz(\.sha512|\.[\w-]+\.(part|staging)|\.lock)?$/;
/** In trees/: one unpacked tree per tarball digest (32 hex digits), its unpacking leftover and lock. */
const TREE = /^[0-9a-f]{32}(\.unpacking|\.lock)?$/;
/** In cds/: class-data-sharing archives, a builder's scratch dir and temp file, locks. */
const CDS = /^([0-9a-f]{32}-[0-9a-f]{16}\.jsa(\.\d+\.tmp|\.lock)?|work-\d+)$/;
/** In digests/: remembered SHA-512s of tarballs. */
const DIGESTS = /^[0-9a-f]{32}\.json(\.\d+\.tmp)?$/;
const SUBDIRS: Record<string, RegExp> = { system: PACKED, urls: PACKED, dirs: PACKED, trees: TREE, cds: CDS, digests: DIGESTS };

export interface CacheEntry {
  file: string;
  bytes: number;
}

/** Every cached tarball (top level and below system/, urls/, dirs/). */
export async function cachedTarballs(dir: string): Promise<CacheEntry[]> {
  const out: CacheEntry[] = [];
  const look = async (d: string, pattern: RegExp) => {
    for (const name of await readdir(d).catch(() => [] as string[])) {
      if (!name.endsWith('.tar.gz') || !pattern.test(name)) continue;
      const s = await stat(path.join(d, name)).catch(() => undefined);
      if (s?.isFile()) out.push({ file: path.join(d, name), bytes: s.size });
    }
  };
  await look(dir, TOP_LEVEL);
  for (const sub of ['system', 'urls', 'dirs']) await look(path.join(dir, sub), PACKED);
  return out;
}

/** True for an unpacked tree that is recognisably ZooKeeper (or an unpack in progress, or a lock). */
async function isOurTree(full: string, name: string): Promise<boolean> {
  if (!name.endsWith('.lock') && !name.endsWith('.unpacking')) return !!(await stat(path.join(full, 'bin', 'zkServer.sh')).catch(() => undefined));
  return true;
}

/**
 * Removes what zkpseudo made in `dir` and returns what it removed and what it left (anything
 * else). Each tarball and tree is removed under its lock, so an `up` filling the cache at the
 * same moment finishes first.
 */
export async function clearCache(dir: string): Promise<{ removed: string[]; kept: string[] }> {
  const removed: string[] = [];
  const kept: string[] = [];
  const remove = async (full: string) => {
    if (full.endsWith('.lock')) {
      // A lock goes only once its holder is gone: removing a live one would let a second
      // download or unpack run beside the one that holds it.
      if (await removeStaleLock(full, dir)) removed.push(full);
      else if (await lstat(full).catch(() => undefined)) kept.push(full);
      return;
    }
    const lockable = !full.endsWith('.part');
    if (lockable) await withLock(full, `the cached ${path.basename(full)}`, () => rm(full, { recursive: true, force: true }), 60_000);
    else await rm(full, { recursive: true, force: true });
    removed.push(full);
  };
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const full = path.join(dir, name);
    const pattern = SUBDIRS[name];
    if (TOP_LEVEL.test(name)) await remove(full);
    else if (pattern && (await stat(full).catch(() => undefined))?.isDirectory()) {
      for (const inner of await readdir(full).catch(() => [] as string[])) {
        const innerFull = path.join(full, inner);
        if (pattern.test(inner) && (name !== 'trees' || (await isOurTree(innerFull, inner)))) await remove(innerFull);
        else kept.push(innerFull);
      }
      await rmdir(full).catch(() => undefined);
    } else kept.push(full);
  }
  // The directory itself goes only if nothing is left in it (rmdir refuses otherwise).
  await rmdir(dir).catch(() => undefined);
  return { removed, kept };
}
