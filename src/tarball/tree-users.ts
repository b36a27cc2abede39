/**
 * Which server copies link their `lib/` into an unpacked tree in the cache (class-data sharing
 * needs one real jar path for every server, see ensemble/cds/archive.ts). `cache clear` keeps a
 * tree that a live copy links to, so clearing the cache never breaks an existing ensemble.
 *
 * Each copy is recorded as one small file in `<tree>.users/`, named by a digest of the copy's
 * path and holding that path. A record is decoded strictly: a file whose name is not the digest
 * of its content is garbage (damage or a hand edit) and counts for nothing.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { mkdirOwned, removeOwned, writeOwned } from '../edge/fs/owned-fs.js';
import { absolutePath, line, readBack, refine, type Decoder } from '../edge/fs/decode.js';

const usersDir = (tree: string) => `${tree}.users`;
const recordName = (copyRoot: string) => createHash('sha256').update(copyRoot).digest('hex').slice(0, 32);

/** A record as addTreeUser writes it: the copy's plain absolute path on one line, in a file named by its digest. */
const record = (name: string): Decoder<string> =>
  refine(line(absolutePath('the plain absolute path of a server copy')), (copyRoot) => (recordName(copyRoot) === name ? [] : [`its name is not the digest of ${copyRoot}`]));

/** A copy being made right now has no `lib/` link yet; its record alone keeps the tree this long. */
const IN_FLIGHT_MS = 10 * 60_000;

/** Records that `copyRoot` links to `tree` (call before making the link). */
export async function addTreeUser(cache: string, tree: string, copyRoot: string): Promise<void> {
  await mkdirOwned(cache, usersDir(tree));
  await writeOwned(cache, path.join(usersDir(tree), recordName(copyRoot)), `${copyRoot}\n`);
}

/** True when `copyRoot/lib` is a link into `tree/lib`. */
async function linksTo(copyRoot: string, tree: string): Promise<boolean> {
  const lib = path.join(copyRoot, 'lib');
  const st = await lstat(lib).catch(() => undefined);
  if (!st?.isSymbolicLink()) return false;
  return path.resolve(copyRoot, await readlink(lib)) === path.join(tree, 'lib');
}

/**
 * A copy an `up` is making right now: recorded lately, its ensemble directory there, and no
 * `lib/` of any kind yet (a purged ensemble has no directory; a full copy has a real `lib/`).
 */
async function inFlight(record: string, copyRoot: string): Promise<boolean> {
  const recorded = (await lstat(record).catch(() => undefined))?.mtimeMs ?? 0;
  if (Date.now() - recorded > IN_FLIGHT_MS) return false;
  if (!(await lstat(path.dirname(copyRoot)).catch(() => undefined))?.isDirectory()) return false;
  return !(await lstat(path.join(copyRoot, 'lib')).catch(() => undefined));
}

/**
 * The copies that use `tree` now (their `lib/` links to it, or their record is fresh enough
 * to be an `up` in flight). Records of copies gone or unlinked, and garbage, are removed.
 */
export async function liveTreeUsers(cache: string, tree: string): Promise<string[]> {
  const dir = usersDir(tree);
  const live: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    // Decoded strictly (edge/fs/decode): damage, junk or a hand edit counts for nothing and is removed.
    const read = /^[0-9a-f]{32}$/.test(name) ? await readBack(file, record(name), { as: 'text', maxBytes: 8192 }) : undefined;
    const copyRoot = read?.state === 'ok' ? read.value : undefined;
    if (copyRoot !== undefined && ((await linksTo(copyRoot, tree)) || (await inFlight(file, copyRoot)))) live.push(copyRoot);
    else await removeOwned(cache, file, { recursive: true });
  }
  return live;
}
