/** Writing a directory tree into a cached tarball, atomically, and reading one back out. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { copyOwned, extractOwned, linkOwned, mkdirOwned, packOwned, removeOwned, renameOwned, writeOwned } from '../edge/fs/owned-fs.js';
import { sha512OfFile } from './download.js';
import { ZkpseudoError } from '../errors.js';
import { withLock } from '../edge/lock/lock.js';
import { addTreeUser } from './tree-users.js';
import { tarballProblem } from './digests.js';
import { DamagedTarballError } from './proof.js';

/**
 * Packs `dir` (as the tarball's single top directory, named `topName`) into `dest`, following
 * symbolic links so the tarball holds real files. Written to a `.part` file and renamed, so a
 * reader never sees half a tarball. Returns the tarball's SHA-512.
 */
export async function packDirectory(dir: string, topName: string, dest: string, root = path.dirname(dest)): Promise<string> {
  const part = `${dest}.${process.pid}-${Date.now().toString(36)}.part`;
  const staging = `${dest}.${process.pid}-${Date.now().toString(36)}.staging`;
  try {
    await mkdirOwned(root, staging);
    // A symlink named like the top directory lets tar store the tree under that name.
    await linkOwned(root, path.resolve(dir), path.join(staging, topName));
    await packOwned(root, part, staging, [topName]);
    const sha512 = await sha512OfFile(part);
    await renameOwned(root, part, dest);
    return sha512;
  } finally {
    await removeOwned(root, part);
    await removeOwned(root, staging, { recursive: true });
  }
}

/**
 * Extracts a tarball's contents (without its top directory) into `target`. Entries that would
 * land outside `target` are refused by tar itself (no absolute paths, no `..`). Extraction goes
 * to `<target>.unpacking` first and is renamed when complete, so an interrupted unpack is never
 * mistaken for a finished one: a leftover `.unpacking` is removed and redone.
 */
export async function unpackTarball(tarball: string, target: string, root = path.dirname(target)): Promise<void> {
  const temp = `${target}.unpacking`;
  await removeOwned(root, temp, { recursive: true });
  await mkdirOwned(root, temp);
  try {
    await extractOwned(root, tarball, temp);
    if (!(await stat(path.join(temp, 'bin', 'zkServer.sh')).catch(() => undefined))) throw new Error('it has no bin/zkServer.sh below its top directory');
    await renameOwned(root, temp, target);
  } catch (err) {
    await removeOwned(root, temp, { recursive: true });
    // A full disk or a read-only place is not a bad tarball: say what it is.
    if (err instanceof ZkpseudoError) throw err;
    throw new ZkpseudoError(
      `${tarball} could not be unpacked as a ZooKeeper release: ${(err as Error).message}.`,
      'Use a binary release tarball (apache-zookeeper-X-bin.tar.gz), or let zkpseudo download one.',
      undefined,
      { cause: err },
    );
  }
}

export interface UnpackOptions {
  /** Entries of an existing (damaged) copy carried over into the fresh one: its data. */
  keep?: string[];
  /** Make each copy's lib/ a link to the tree's (class-data sharing, see ensemble/cds). */
  linkLib?: boolean;
  roots?: { tree: string; copies: string };
  /**
   * The digest the tarball was recorded with: before it is unpacked, its size and SHA-512 are
   * proven against it (the digests memo in `cache`), and a mismatch is a DamagedTarballError.
   */
  proof?: { cache: string; sha512: string };
}

/**
 * Left inside a copy while its files are being replaced: a copy holding it is incomplete (an
 * unpack was cut short), whatever else it holds, and is replaced again.
 */
export const REPLACING_MARK = '.zkpseudo-replacing';

/**
 * Unpacks `tarball` once into `tree` (in the cache, named by the tarball's digest; atomic,
 * like every unpack) and copies that tree to each target. Copying is ~4x cheaper than gunzipping the
 * tarball again for every server. Each target is still a full, independent copy. A target that
 * exists already (a damaged copy, or one moving to another release) has its files replaced in
 * place, and its entries named in `keep` (its data) never move: the mark is written first and
 * removed last, so a replacement cut short at any point leaves the data where it was and a copy
 * that says it is incomplete.
 */
export async function unpackCopies(tarball: string, tree: string, targets: string[], opts: UnpackOptions = {}): Promise<void> {
  const { keep = [], linkLib = false, roots = { tree: path.dirname(tree), copies: path.dirname(targets[0] ?? tree) }, proof } = opts;
  await mkdirOwned(roots.tree, path.dirname(tree));
  // Two ensembles created at once share the tree: one builds it, the other waits and reuses it.
  await withLock(tree, 'the unpacked ZooKeeper in the cache', async () => {
    if (await stat(tree).catch(() => undefined)) return;
    const problem = proof ? await tarballProblem(proof.cache, tarball, proof.sha512) : undefined;
    if (problem) throw new DamagedTarballError(tarball, problem, tarball.startsWith(proof!.cache + path.sep));
    await unpackTarball(tarball, tree, roots.tree);
  });
  const root = roots.copies;
  // With class-data sharing, lib/ is a link to the tree's: every server then has the same
  // real jar paths, which one shared archive needs (see ensemble/cds/archive.ts).
  const lib = path.join(tree, 'lib');
  const fill = async (dest: string, target: string) => {
    await copyOwned(root, tree, dest, { filter: (src) => !(linkLib && src === lib) && !src.startsWith(path.join(tree, '.zkpseudo-empty-conf')) && !keep.includes(path.relative(tree, src)) });
    if (linkLib) {
      await addTreeUser(roots.tree, tree, target);
      await linkOwned(root, lib, path.join(dest, 'lib'));
    }
  };
  await Promise.all(targets.map(async (target) => {
    if (!(await stat(target).catch(() => undefined))) {
      // A new copy: made beside its place and renamed into it when complete.
      const temp = `${target}.unpacking`;
      await removeOwned(root, temp, { recursive: true });
      await fill(temp, target);
      await renameOwned(root, temp, target);
      return;
    }
    const mark = path.join(target, REPLACING_MARK);
    await writeOwned(root, mark, `${tarball}\n`);
    for (const entry of await readdir(target)) {
      if (!keep.includes(entry) && entry !== REPLACING_MARK) await removeOwned(root, path.join(target, entry), { recursive: true });
    }
    await fill(target, target);
    await removeOwned(root, mark);
  }));
}
