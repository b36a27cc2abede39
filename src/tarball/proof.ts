/**
 * The cache proves what it holds. Every tarball zkpseudo caches (downloaded, packed from a
 * system install or a directory, fetched from a URL) has a digest record beside it,
 * `<tarball>.sha512` (`<128 hex>  <name>`, written once the bytes were verified or packed), and
 * is proven against it — size against the remembered size, then SHA-512 — before it is trusted.
 * A tarball that fails (truncated, overwritten) is removed, with its record, under its lock, and
 * the caller fetches or packs it again, saying so: a damaged cache never fails every later `up`
 * the same way.
 */
import path from 'node:path';
import { pathExists } from '../edge/fs/files.js';
import { line, readBack, str, type Decoder } from '../edge/fs/decode.js';
import { removeOwned, writeOwned } from '../edge/fs/owned-fs.js';
import { ZkpseudoError } from '../errors.js';
import { tarballProblem } from './digests.js';

/** `<tarball>.sha512` as zkpseudo writes it: one line, the digest, two spaces, the tarball's name. */
function digestRecord(name: string): Decoder<string> {
  const entry = str(`"<128 hex digits>  ${name}"`, /^[0-9a-f]{128}  \S.*$/, 128 + 2 + 255);
  return line((v, at) => {
    const d = entry(v, at);
    if (!d.ok) return d;
    return d.value.slice(130) === name ? { ok: true, value: d.value.slice(0, 128) } : { ok: false, problems: [`it names ${JSON.stringify(d.value.slice(130, 190))}, not ${name}`] };
  });
}

/** Writes the digest record beside `tarball` (under `root`), once its bytes are verified or packed. */
export async function writeDigestRecord(root: string, tarball: string, sha512: string): Promise<void> {
  await writeOwned(root, `${tarball}.sha512`, `${sha512.toLowerCase()}  ${path.basename(tarball)}\n`);
}

/** The digest recorded beside `tarball`; a damaged record is moved aside and named. */
export async function readDigestRecord(cache: string, tarball: string, onNotice?: (text: string) => void): Promise<string | undefined> {
  const read = await readBack(`${tarball}.sha512`, digestRecord(path.basename(tarball)), {
    as: 'text',
    maxBytes: 1024,
    report: { root: cache, say: onNotice ?? (() => undefined), what: 'The digest record', then: `${path.basename(tarball)} is checked afresh` },
  });
  return read.state === 'ok' ? read.value : undefined;
}

export type Proven = { state: 'ok'; sha512: string } | { state: 'missing' } | { state: 'unrecorded' };

export interface ProofContext {
  onNotice?: (text: string) => void;
  /** What happens after a damaged tarball is removed ("downloading it again"). */
  then: string;
}

/** Removes a cached tarball that cannot be trusted, with its record, and says why and what comes next. */
export async function discardTarball(cache: string, tarball: string, why: string, ctx: ProofContext): Promise<void> {
  await removeOwned(cache, tarball);
  await removeOwned(cache, `${tarball}.sha512`);
  ctx.onNotice?.(`The cached tarball ${tarball} was damaged (${why}); removed it; ${ctx.then}.`);
}

/**
 * A cached tarball proven against its record: `ok` with its digest; `missing` (none, or it
 * was damaged and has now been removed, said through `onNotice`); `unrecorded` when it has no
 * usable record (a pack cut short, a record damaged), which the caller settles. Call it holding
 * the tarball's lock.
 */
export async function provenCached(cache: string, tarball: string, ctx: ProofContext): Promise<Proven> {
  if (!(await pathExists(tarball))) return { state: 'missing' };
  const recorded = await readDigestRecord(cache, tarball, ctx.onNotice);
  if (!recorded) return { state: 'unrecorded' };
  const problem = await tarballProblem(cache, tarball, recorded, ctx.onNotice);
  if (!problem) return { state: 'ok', sha512: recorded };
  await discardTarball(cache, tarball, problem, ctx);
  return { state: 'missing' };
}

/** A tarball that does not match the digest it was recorded with, found right before it would be unpacked. */
export class DamagedTarballError extends ZkpseudoError {
  readonly tarball: string;
  constructor(tarball: string, problem: string, inCache: boolean) {
    super(
      `${tarball} is not the tarball it was recorded as (${problem}); it was not unpacked.`,
      inCache ? 'Run the command again: zkpseudo removes it and fetches or packs it again.' : 'Put the original tarball back, or start afresh with `zkpseudo down --purge` and a new `up`.',
    );
    this.name = 'DamagedTarballError';
    this.tarball = tarball;
  }
}
