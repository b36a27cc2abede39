/** Getting a verified ZooKeeper tarball into the cache, from wherever the user said (SPEC §4). */
import { readFile, stat } from 'node:fs/promises';
import { canonicalPathSync, mkdirOwned, removeOwned } from '../edge/fs/owned-fs.js';
import { pathProblem } from '../zk/config/path-rules.js';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { InterruptedError, ZkpseudoError, UsageError } from '../errors.js';
import { parseSha512File } from '../zk/checksum.js';
import { DEFAULT_ZK_VERSION, parseZkVersion, type ZkVersion } from '../zk/versions.js';
import { downloadUrls, tarballName, tarballTopDir } from '../zk/version-facts.js';
import type { DistRecord } from '../options/types.js';
import { describeHolder, withLock } from '../edge/lock/lock.js';
import { pathExists } from '../edge/fs/files.js';
import { ChecksumMismatch, downloadVerified, fetchText, type Progress } from './download.js';
import { remember, sha512Remembered, tarballProblem } from './digests.js';
import { discardTarball, provenCached, writeDigestRecord } from './proof.js';
import { packDirectory } from './pack.js';
import { findSystemInstall, packSystemInstall } from './system.js';

/**
 * The user's cache dir for zkpseudo, where env-paths (which this replaces: it is an ES module
 * only, and Jest's CommonJS loader cannot load one) puts it: $XDG_CACHE_HOME/zkpseudo or
 * ~/.cache/zkpseudo on Linux, ~/Library/Caches/zkpseudo on macOS, %LOCALAPPDATA%\zkpseudo\Cache
 * on Windows.
 */
export function userCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'zkpseudo');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'zkpseudo', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'zkpseudo');
}

/** `$ZKPSEUDO_CACHE`, else the user's cache dir (~/.cache/zkpseudo on Linux). */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  const dir = canonicalPathSync(env.ZKPSEUDO_CACHE || userCacheDir(env));
  // The servers' jars live in the cache's unpacked trees, so its path must suit the JVM too.
  const problem = pathProblem(dir);
  if (problem) throw new UsageError(`The cache dir ${dir} cannot be used: ${problem}.`, 'Point ZKPSEUDO_CACHE at a directory whose path has no such character.');
  return dir;
}

export interface DistRequest {
  zkVersion?: ZkVersion;
  dist?: string;
  mirror?: string;
  /** Use only the cache or a system install; never the network. */
  offline?: boolean;
}

/** A tarball that is not in the cache, when the network may not be used. */
class NotCached extends Error {}

export interface DistContext {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onDownload?: (p: Progress & { url: string }) => void;
  /** Something the user should know, such as a fallback taken. */
  onNotice?: (text: string) => void;
}

export interface ResolvedDist {
  version: ZkVersion;
  record: DistRecord;
}

const versionFromName = (file: string) =>
  parseZkVersion(/^(?:apache-)?zookeeper-(\d+\.\d+\.\d+(?:-(?:alpha|beta))?)(?:-bin)?\.tar\.gz$/.exec(path.basename(file))?.[1] ?? '');

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

function versionOrFail(asked: ZkVersion | undefined, found: ZkVersion | undefined, what: string): ZkVersion {
  if (asked && found && asked.text !== found.text) {
    throw new UsageError(`${what} holds ZooKeeper ${found.text}, but --zk-version ${asked.text} was asked for.`, 'Drop --zk-version, or point --dist at that version.');
  }
  const v = asked ?? found;
  if (!v) throw new UsageError(`Cannot tell which ZooKeeper version ${what} holds.`, 'Say it with --zk-version X.Y.Z.');
  return v;
}

/**
 * Removes `.part` files left by a download that was killed (SIGKILL, power loss). Called
 * while holding `dest`'s lock, so no live process can be writing one of them.
 */
async function sweepParts(dest: string): Promise<void> {
  const { readdir } = await import('node:fs/promises');
  const prefix = `${path.basename(dest)}.`;
  const names = await readdir(path.dirname(dest)).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix) && n.endsWith('.part')).map((n) => removeOwned(path.dirname(dest), path.join(path.dirname(dest), n))));
}

/**
 * Downloads `url` into `dest` unless a copy proven against its digest record is there already
 * (see proof.ts); the digest comes from `<url>.sha512`. A cached copy that fails its proof is
 * removed and downloaded again, saying so; one without a usable record is checked against the
 * published digest and kept when it matches.
 */
async function cachedDownload(url: string, dest: string, ctx: DistContext, offline = false): Promise<string> {
  const cache = cacheDir(ctx.env);
  return withLock(dest, `the download of ${path.basename(dest)}`, async () => {
    await sweepParts(dest);
    const proof = { ...(ctx.onNotice ? { onNotice: ctx.onNotice } : {}), then: offline ? 'it is not in the cache any more' : `downloading it again from ${new URL(url).host}` };
    const cached = await provenCached(cache, dest, proof);
    if (cached.state === 'ok') return cached.sha512;
    if (offline) throw new NotCached(`${path.basename(dest)} is not in the cache`);
    const published = parseSha512File(await fetchText(`${url}.sha512`, ctx.signal));
    if (!published) throw new ZkpseudoError(`${url}.sha512 holds no SHA-512 digest.`, 'Check the mirror, or use --dist with a local tarball.');
    if (cached.state === 'unrecorded') {
      const problem = await tarballProblem(cache, dest, published, ctx.onNotice);
      if (!problem) {
        await writeDigestRecord(path.dirname(dest), dest, published);
        return published;
      }
      await discardTarball(cache, dest, `${problem}, against ${url}.sha512`, proof);
    }
    await downloadVerified(url, dest, published, {
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) => ctx.onDownload?.({ ...p, url }),
    });
    await remember(cache, dest, published).catch(() => undefined);
    await writeDigestRecord(path.dirname(dest), dest, published);
    return published;
  }, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onWait: (h) => ctx.onNotice?.(`waiting for ${describeHolder(h)}, which is fetching ${path.basename(dest)}`),
  });
}

async function fromSystem(req: DistRequest, cache: string, onNotice?: (text: string) => void): Promise<ResolvedDist> {
  const install = await findSystemInstall();
  if (!install) {
    throw new ZkpseudoError(
      'No system ZooKeeper install was found (looked for the Debian/Ubuntu package and Homebrew).',
      'Install one (`apt-get install zookeeper`), or use --dist with a tarball or --mirror with a reachable mirror.',
    );
  }
  const version = versionOrFail(req.zkVersion, install.version, `The system install at ${install.binDir}`);
  const packed = await packSystemInstall(install, cache, onNotice);
  return { version, record: { source: 'system', origin: install.binDir, tarball: packed.tarball, sha512: packed.sha512 } };
}

async function fromLocal(req: DistRequest, dist: string, cache: string, onNotice?: (text: string) => void): Promise<ResolvedDist> {
  const full = path.resolve(dist);
  const info = await stat(full).catch(() => undefined);
  if (!info) throw new UsageError(`--dist ${dist} does not exist.`, 'Give a tarball, an unpacked ZooKeeper directory, an http(s) URL, or "system".');
  if (info.isDirectory()) {
    const { readdir } = await import('node:fs/promises');
    const jars = [...(await readdir(path.join(full, 'lib')).catch(() => [] as string[])), ...(await readdir(full))];
    const found = parseZkVersion(jars.map((f) => /^zookeeper-(\d+\.\d+\.\d+)\.jar$/.exec(f)?.[1]).find(Boolean) ?? '');
    if (!(await pathExists(path.join(full, 'bin/zkServer.sh')))) {
      throw new UsageError(`--dist ${dist} is a directory without bin/zkServer.sh.`, 'Point it at the top of an unpacked ZooKeeper release.');
    }
    const version = versionOrFail(req.zkVersion, found, `--dist ${dist}`);
    const dir = path.join(cache, 'dirs');
    await mkdirOwned(cache, dir);
    const tarball = path.join(dir, `${tarballTopDir(version)}-${shortHash(`${full}:${info.mtimeMs}`)}.tar.gz`);
    const sha512 = await withLock(tarball, `the packed ${path.basename(tarball)}`, async () => {
      const proof = { ...(onNotice ? { onNotice } : {}), then: `packing ${full} again` };
      const cached = await provenCached(cache, tarball, proof);
      if (cached.state === 'ok') return cached.sha512;
      if (cached.state === 'unrecorded') await discardTarball(cache, tarball, 'it has no digest record beside it (a pack cut short?)', proof);
      const packed = await packDirectory(full, tarballTopDir(version), tarball, cache);
      await remember(cache, tarball, packed).catch(() => undefined);
      await writeDigestRecord(cache, tarball, packed);
      return packed;
    });
    return { version, record: { source: 'directory', origin: full, tarball, sha512 } };
  }
  const version = versionOrFail(req.zkVersion, versionFromName(full), `--dist ${dist}`);
  const sha512 = await sha512Remembered(cache, full);
  const published = parseSha512File(await readFile(`${full}.sha512`, 'utf8').catch(() => ''));
  if (published && published !== sha512) {
    throw new ZkpseudoError(`${full} does not match the SHA-512 in ${full}.sha512.`, 'The file is damaged or not the release it claims to be: download it again.');
  }
  return { version, record: { source: 'tarball', origin: full, tarball: full, sha512 } };
}

async function fromUrl(req: DistRequest, url: string, cache: string, ctx: DistContext): Promise<ResolvedDist> {
  const version = versionOrFail(req.zkVersion, versionFromName(new URL(url).pathname), `--dist ${url}`);
  const dir = path.join(cache, 'urls');
  await mkdirOwned(cache, dir);
  const dest = path.join(dir, `${shortHash(url)}-${path.basename(new URL(url).pathname)}`);
  const sha512 = await cachedDownload(url, dest, ctx, req.offline).catch((err) => {
    if (ctx.signal?.aborted) throw new InterruptedError('The download');
    if (err instanceof NotCached) throw offlineError(`ZooKeeper from ${url}`);
    throw downloadError([url], err);
  });
  return { version, record: { source: 'url', origin: url, tarball: dest, sha512 } };
}

function offlineError(what: string): ZkpseudoError {
  return new ZkpseudoError(
    `${what} is not in the cache, and --offline (or ZKPSEUDO_OFFLINE=1) forbids downloading it.`,
    'Run once with the network to fill the cache, use --dist with a local tarball or "system", or drop --offline.',
  );
}

function downloadError(urls: string[], err: unknown): ZkpseudoError {
  if (err instanceof ChecksumMismatch) {
    return new ZkpseudoError(`Download rejected: ${err.message}. The file was deleted.`, 'Try again later or another --mirror; a repeated mismatch means the mirror serves a bad file.');
  }
  if (err instanceof ZkpseudoError) return err;
  const reason = (err as Error)?.message ?? String(err);
  return new ZkpseudoError(
    `Could not download ZooKeeper from ${urls.join(' or ')} (${reason}).`,
    'Check the network or proxy (HTTPS_PROXY), give a reachable --mirror, or use --dist with a local tarball or "system".',
    undefined,
    { cause: err },
  );
}

/**
 * A verified tarball for the request: `--dist` if given; else the cache, the mirror, Apache's
 * CDN and archive in turn; and when no version was asked for and every download fails, a
 * system install (saying so through onNotice).
 */
export async function ensureDist(req: DistRequest, ctx: DistContext): Promise<ResolvedDist> {
  const cache = cacheDir(ctx.env);
  await mkdirOwned(cache, cache);
  if (req.dist === 'system') return fromSystem(req, cache, ctx.onNotice);
  if (req.dist && /^https?:\/\//.test(req.dist)) return fromUrl(req, req.dist, cache, ctx);
  if (req.dist) return fromLocal(req, req.dist, cache, ctx.onNotice);

  const version = req.zkVersion ?? parseZkVersion(DEFAULT_ZK_VERSION)!;
  const dest = path.join(cache, tarballName(version));
  const urls = downloadUrls(version, req.mirror);
  const failures: string[] = [];
  for (const url of req.offline ? urls.slice(0, 1) : urls) {
    try {
      const sha512 = await cachedDownload(url, dest, ctx, req.offline);
      return { version, record: { source: 'download', origin: url, tarball: dest, sha512 } };
    } catch (err) {
      if (ctx.signal?.aborted) throw new InterruptedError('The download');
      if (err instanceof ChecksumMismatch) throw downloadError([url], err);
      failures.push(err instanceof NotCached ? err.message : `${new URL(url).host}: ${(err as Error).message}`);
    }
  }
  if (!req.zkVersion) {
    const system = await fromSystem(req, cache, ctx.onNotice).catch(() => undefined);
    if (system) {
      ctx.onNotice?.(req.offline
        ? `Offline: ZooKeeper ${version.text} is not in the cache; using the system install, ZooKeeper ${system.version.text}, instead.`
        : `Could not download ZooKeeper ${version.text} (${failures[0]}); using the system install, ZooKeeper ${system.version.text}, instead.`);
      return system;
    }
  }
  if (req.offline) throw offlineError(`ZooKeeper ${version.text}`);
  throw downloadError(urls, new Error(failures.join('; ')));
}
