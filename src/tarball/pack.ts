/** Writing a directory tree into a cached tarball, atomically, and reading one back out. */
import { cp, mkdir, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { sha512OfFile } from './download.js';
import { ZkpseudoError } from '../errors.js';
import { withLock } from '../edge/lock.js';

/**
 * Packs `dir` (as the tarball's single top directory, named `topName`) into `dest`, following
 * symbolic links so the tarball holds real files. Written to a `.part` file and renamed, so a
 * reader never sees half a tarball. Returns the tarball's SHA-512.
 */
export async function packDirectory(dir: string, topName: string, dest: string): Promise<string> {
  const tar = await import('tar');
  const part = `${dest}.${process.pid}-${Date.now().toString(36)}.part`;
  const staging = `${dest}.${process.pid}-${Date.now().toString(36)}.staging`;
  try {
    await mkdir(staging, { recursive: true });
    // A symlink named like the top directory lets tar store the tree under that name.
    const { symlink } = await import('node:fs/promises');
    await symlink(path.resolve(dir), path.join(staging, topName));
    await tar.c({ gzip: true, file: part, cwd: staging, follow: true, portable: true }, [topName]);
    const sha512 = await sha512OfFile(part);
    await rename(part, dest);
    return sha512;
  } finally {
    await rm(part, { force: true });
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Extracts a tarball's contents (without its top directory) into `target`. Entries that would
 * land outside `target` are refused by tar itself (no absolute paths, no `..`). Extraction goes
 * to `<target>.unpacking` first and is renamed when complete, so an interrupted unpack is never
 * mistaken for a finished one: a leftover `.unpacking` is removed and redone.
 */
export async function unpackTarball(tarball: string, target: string): Promise<void> {
  const tar = await import('tar');
  const temp = `${target}.unpacking`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  try {
    await tar.x({ file: tarball, cwd: temp, strip: 1, preservePaths: false, strict: true });
    if (!(await stat(path.join(temp, 'bin', 'zkServer.sh')).catch(() => undefined))) throw new Error('it has no bin/zkServer.sh below its top directory');
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw new ZkpseudoError(
      `${tarball} could not be unpacked as a ZooKeeper release: ${(err as Error).message}.`,
      'Use a binary release tarball (apache-zookeeper-X-bin.tar.gz), or let zkpseudo download one.',
      undefined,
      { cause: err },
    );
  }
}

/**
 * Unpacks `tarball` once into `tree` (in the cache, named by the tarball's digest; atomic,
 * like every unpack) and copies that tree to each target. Copying is ~4x cheaper than gunzipping the
 * tarball again for every server. Each target is still a full, independent copy. A target that
 * exists already (a damaged copy) is replaced, but its entries named in `keep` (its data) are
 * carried over into the fresh copy.
 */
export async function unpackCopies(tarball: string, tree: string, targets: string[], keep: string[] = [], linkLib = false): Promise<void> {
  await mkdir(path.dirname(tree), { recursive: true });
  // Two ensembles created at once share the tree: one builds it, the other waits and reuses it.
  await withLock(tree, 'the unpacked ZooKeeper in the cache', async () => {
    if (!(await stat(tree).catch(() => undefined))) await unpackTarball(tarball, tree);
  });
  await Promise.all(targets.map(async (target) => {
    const temp = `${target}.unpacking`;
    const old = `${target}.damaged`;
    await rm(temp, { recursive: true, force: true });
    // With class-data sharing, lib/ is a link to the tree's: every server then has the same
    // real jar paths, which one shared archive needs (see ensemble/cds/archive.ts).
    const lib = path.join(tree, 'lib');
    await cp(tree, temp, { recursive: true, preserveTimestamps: true, filter: (src) => !(linkLib && src === lib) && !src.startsWith(path.join(tree, '.zkpseudo-empty-conf')) });
    if (linkLib) await symlink(lib, path.join(temp, 'lib'));
    if (await stat(target).catch(() => undefined)) {
      for (const entry of keep) {
        const from = path.join(target, entry);
        if (!(await stat(from).catch(() => undefined))) continue;
        await rm(path.join(temp, entry), { recursive: true, force: true });
        await rename(from, path.join(temp, entry));
      }
      await rm(old, { recursive: true, force: true });
      await rename(target, old);
      await rename(temp, target);
      await rm(old, { recursive: true, force: true });
    } else await rename(temp, target);
  }));
}
