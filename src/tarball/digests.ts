/**
 * SHA-512s of tarballs, remembered. Hashing a ~15 MB tarball costs ~50 ms on every new
 * ensemble; a file whose size and modification time are what they were when it was hashed is
 * taken to have the same digest. The memo lives in the cache (never beside a user's file).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { mkdirOwned, writeOwned } from '../edge/owned-fs.js';
import path from 'node:path';
import { sha512OfFile } from './download.js';

interface Memo {
  file: string;
  size: number;
  mtimeMs: number;
  sha512: string;
}

const memoPath = (cache: string, file: string) => path.join(cache, 'digests', `${createHash('sha256').update(file).digest('hex').slice(0, 32)}.json`);

/** The file's SHA-512, from the memo when the file is unchanged, else hashed (and remembered). */
export async function sha512Remembered(cache: string, file: string): Promise<string> {
  const s = await stat(file);
  const memo = memoPath(cache, file);
  try {
    const m = JSON.parse(await readFile(memo, 'utf8')) as Memo;
    if (m.file === file && m.size === s.size && m.mtimeMs === s.mtimeMs && /^[0-9a-f]{128}$/.test(m.sha512)) return m.sha512;
  } catch { /* no memo yet */ }
  const sha512 = await sha512OfFile(file);
  await remember(cache, file, sha512).catch(() => undefined);
  return sha512;
}

/** Records a digest just computed (after a download or a pack), so the next use need not hash. */
export async function remember(cache: string, file: string, sha512: string): Promise<void> {
  const s = await stat(file);
  const memo = memoPath(cache, file);
  await mkdirOwned(cache, path.dirname(memo));
  await writeOwned(cache, memo, JSON.stringify({ file, size: s.size, mtimeMs: s.mtimeMs, sha512 } satisfies Memo));
}
