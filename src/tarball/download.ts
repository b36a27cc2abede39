/** Downloading a tarball into the cache: to a `.part` file, verified, then renamed into place. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { removeOwned, renameOwned, writeStreamOwned } from '../edge/fs/owned-fs.js';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export interface Progress {
  /** Bytes received so far. */
  transferred: number;
  /** Total bytes, when the server said. */
  total?: number;
}

export interface DownloadOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Tries in all for a download cut off by the network (default 3). */
  attempts?: number;
  /** The longest one try may take in all (default DOWNLOAD_TOTAL_MS). */
  totalMs?: number;
}

/** A tarball of ~15 MB that takes longer than this is better fetched another way (--dist). */
export const DOWNLOAD_TOTAL_MS = 10 * 60_000;

/** SHA-512 of a file, in lower-case hex. */
export async function sha512OfFile(file: string): Promise<string> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** The HTTP client, loaded only when something is downloaded: got costs ~70 ms to import. */
async function clientFor(url: string) {
  return (await import('../edge/http.js')).clientFor(url);
}

/** A small text resource such as a `.sha512` file. */
export async function fetchText(url: string, signal?: AbortSignal): Promise<string> {
  const bounded = signal ? AbortSignal.any([signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000);
  return (await clientFor(url))(url, { signal: bounded }).text();
}

/** Thrown when the bytes received do not match the published digest. */
export class ChecksumMismatch extends Error {
  constructor(readonly url: string, readonly expected: string, readonly actual: string) {
    super(`SHA-512 of ${url} is ${actual.slice(0, 16)}…, but ${expected.slice(0, 16)}… was published`);
  }
}

/**
 * Streams `url` to a `.part` file beside `dest` (unique per process, so two downloads never
 * write one file), hashing on the way; renames it to `dest` only if the SHA-512 matches.
 * Whatever goes wrong, the `.part` file is removed and `dest` is untouched.
 */
export async function downloadVerified(url: string, dest: string, expectedSha512: string, opts: DownloadOptions = {}): Promise<void> {
  // got retries requests, but not a stream once bytes have flowed: a connection cut mid-way
  // is retried here, from scratch, with backoff.
  const attempts = opts.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(url, dest, expectedSha512, opts);
    } catch (err) {
      if (attempt >= attempts || !isTransient(err) || opts.signal?.aborted) throw err;
      await new Promise((r) => setTimeout(r, 250 * 2 ** (attempt - 1)));
    }
  }
}

/** Worth another try: a network fault, not a mismatch, a 4xx answer or a cancellation. */
function isTransient(err: unknown): boolean {
  if (err instanceof ChecksumMismatch) return false;
  // A 4xx is an answer (no such file); a 2xx here means the body was cut off mid-way.
  const status = (err as { response?: { statusCode?: number } }).response?.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return false;
  return (err as { name?: string }).name !== 'AbortError';
}

async function downloadOnce(url: string, dest: string, expectedSha512: string, opts: DownloadOptions): Promise<void> {
  const root = path.dirname(dest);
  const part = `${dest}.${process.pid}-${Date.now().toString(36)}.part`;
  const hash = createHash('sha512');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.totalMs ?? DOWNLOAD_TOTAL_MS)]) : AbortSignal.timeout(opts.totalMs ?? DOWNLOAD_TOTAL_MS);
    // The file first: the request starts flowing (and may fail) as soon as it is made, so
    // nothing may be awaited between making it and handing it to the pipeline.
    const out = await writeStreamOwned(root, part);
    const stream = await clientFor(url).then((c) => c.stream(url, { signal }), (err: unknown) => { out.destroy(); throw err; });
    stream.on('downloadProgress', (p: { transferred: number; total?: number }) =>
      opts.onProgress?.({ transferred: p.transferred, ...(p.total ? { total: p.total } : {}) }),
    );
    await pipeline(stream, hashing, out);
    const actual = hash.digest('hex');
    if (actual !== expectedSha512.toLowerCase()) throw new ChecksumMismatch(url, expectedSha512, actual);
    await renameOwned(root, part, dest);
  } finally {
    await removeOwned(root, part);
  }
}
