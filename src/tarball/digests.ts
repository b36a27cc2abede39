/**
 * SHA-512s of tarballs, remembered. Hashing a ~15 MB tarball costs ~50 ms on every new
 * ensemble; a file whose size and modification time are what they were when it was hashed is
 * taken to have the same digest. The memo lives in the cache (never beside a user's file), and
 * is decoded strictly when read back: a damaged memo is moved aside and the file hashed again.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { mkdirOwned, writeOwned } from '../edge/fs/owned-fs.js';
import { absolutePath, int, num, object, readBack, refine, str, type Decoder } from '../edge/fs/decode.js';
import path from 'node:path';
import { sha512OfFile } from './download.js';

interface Memo {
  file: string;
  size: number;
  mtimeMs: number;
  sha512: string;
}

const SHA512 = /^[0-9a-f]{128}$/;

const MEMO: Decoder<Memo> = object<Memo>({
  file: absolutePath('the plain absolute path of a tarball'),
  size: int(0, Number.MAX_SAFE_INTEGER, 'a size in bytes'),
  mtimeMs: num(0, 1e15, 'a modification time in ms'),
  sha512: str('a SHA-512 digest (128 lower-case hex digits)', SHA512),
});

const memoPath = (cache: string, file: string) => path.join(cache, 'digests', `${createHash('sha256').update(file).digest('hex').slice(0, 32)}.json`);

/**
 * The memo recorded for `file`, or undefined when there is none or it is damaged (moved aside
 * and, with `onNotice`, named). A memo of another file (its name is a digest of the path, so
 * only damage or a hand edit gives one) counts as damaged too.
 */
async function readMemo(cache: string, file: string, onNotice?: (text: string) => void): Promise<Memo | undefined> {
  const memo = memoPath(cache, file);
  const forFile = refine(MEMO, (m) => (m.file === file ? [] : [`file: names ${m.file}, not ${file}`]));
  const read = await readBack(memo, forFile, {
    maxBytes: 8192,
    report: { root: cache, say: onNotice ?? (() => undefined), what: 'The remembered digest', then: 'hashed the tarball again' },
  });
  return read.state === 'ok' ? read.value : undefined;
}

/** The file's SHA-512, from the memo when the file is unchanged, else hashed (and remembered). */
export async function sha512Remembered(cache: string, file: string, onNotice?: (text: string) => void): Promise<string> {
  const s = await stat(file);
  const m = await readMemo(cache, file, onNotice);
  if (m && m.size === s.size && m.mtimeMs === s.mtimeMs) return m.sha512;
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

/**
 * Why the cached tarball `file` is not the one recorded with digest `expected`, or undefined
 * when it is: its size against the size remembered with that digest (a truncated file is
 * caught without hashing), then its SHA-512. The cache proves every tarball this way before
 * it is trusted or unpacked.
 */
export async function tarballProblem(cache: string, file: string, expected: string, onNotice?: (text: string) => void): Promise<string | undefined> {
  const s = await stat(file).catch(() => undefined);
  if (!s) return 'it is missing';
  if (!s.isFile()) return 'it is not a plain file';
  const m = await readMemo(cache, file, onNotice);
  if (m && m.sha512 === expected && m.size !== s.size) return `it is ${s.size} bytes, but it was ${m.size} bytes when its SHA-512 was recorded`;
  const actual = await sha512Remembered(cache, file, onNotice);
  if (actual !== expected) return `its SHA-512 is ${actual.slice(0, 16)}…, but ${expected.slice(0, 16)}… was recorded`;
  return undefined;
}
