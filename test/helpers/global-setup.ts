/**
 * Once per test run: pack Debian's ZooKeeper into an Apache-layout tarball (the project's own
 * `system` dist) and serve it from a loopback mirror, so end-to-end tests go through the real
 * download → verify → unpack → zkServer.sh path with no internet.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { findSystemInstall, packSystemInstall } from '../../src/tarball/system.js';
import { tarballName } from '../../src/zk/version-facts.js';
import { parseZkVersion } from '../../src/zk/versions.js';
import { startMirror } from './mirror.js';
import { buildApacheLayoutDist, findApacheSource } from './apache-dist.js';
import { buildDebianRelease, DEBIAN_RELEASES } from './debian-builds.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mirrorUrl: string | null;
    zkVersion: string | null;
    distTarball: string | null;
    distSha512: string | null;
    noZooKeeperReason: string | null;
    /** The same release in Apache's own binary layout (Apache's bin/ and conf/), or null. */
    apacheTarball: string | null;
    apacheSha512: string | null;
    noApacheDistReason: string | null;
    /**
     * The version matrix: a mirror serving real builds of several releases, each in Apache's own
     * layout (3.4.13 and 3.9.3 from Debian's archive, see debian-builds.ts; the installed
     * 3.8.0), and for each release asked for, null or why it could not be built.
     */
    versionsMirrorUrl: string | null;
    versionProblems: Record<string, string | null>;
  }
}

/** Serves each tarball at its Apache-dist path, with its `.sha512` beside it. */
function releaseFiles(releases: { version: string; tarball: string; sha512: string }[]) {
  return releases.flatMap(({ version, tarball, sha512 }) => {
    const v = parseZkVersion(version)!;
    const base = `/zookeeper/zookeeper-${v.text}/${tarballName(v)}`;
    return [{ path: base, file: tarball }, { path: `${base}.sha512`, body: `${sha512}  ${tarballName(v)}\n` }];
  });
}

export default async function setup(project: TestProject) {
  const install = await findSystemInstall();
  if (!install) {
    project.provide('mirrorUrl', null);
    project.provide('zkVersion', null);
    project.provide('distTarball', null);
    project.provide('distSha512', null);
    project.provide('noZooKeeperReason', 'no system ZooKeeper: run `apt-get install -y zookeeper` (the .ci/run script does)');
    project.provide('apacheTarball', null);
    project.provide('apacheSha512', null);
    project.provide('noApacheDistReason', 'no system ZooKeeper');
    project.provide('versionsMirrorUrl', null);
    project.provide('versionProblems', {});
    return;
  }
  const cache = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-dist-'));
  const packed = await packSystemInstall(install, cache);
  const v = install.version;
  const base = `/zookeeper/zookeeper-${v.text}/${tarballName(v)}`;
  const mirror = await startMirror([
    { path: base, file: packed.tarball },
    { path: `${base}.sha512`, body: `${packed.sha512}  ${tarballName(v)}\n` },
  ]);
  project.provide('mirrorUrl', mirror.url);
  project.provide('zkVersion', v.text);
  project.provide('distTarball', packed.tarball);
  project.provide('distSha512', packed.sha512);
  project.provide('noZooKeeperReason', null);
  const built: { version: string; tarball: string; sha512: string }[] = [];
  const problems: Record<string, string | null> = {};
  const source = await findApacheSource(v.text);
  if (typeof source === 'string') {
    const apache = await buildApacheLayoutDist(source, install, cache);
    built.push({ version: v.text, ...apache });
    problems[v.text] = null;
    project.provide('apacheTarball', apache.tarball);
    project.provide('apacheSha512', apache.sha512);
    project.provide('noApacheDistReason', null);
  } else {
    project.provide('apacheTarball', null);
    project.provide('apacheSha512', null);
    project.provide('noApacheDistReason', source.missing);
    problems[v.text] = source.missing;
  }
  for (const { suite, version } of DEBIAN_RELEASES) {
    const started = Date.now();
    const build = await buildDebianRelease(suite, cache).catch((err: Error) => ({ missing: err.message }));
    if ('missing' in build) problems[version] = build.missing;
    else {
      built.push(build);
      problems[build.version] = null;
      console.log(`global-setup: ZooKeeper ${build.version} from Debian ${suite} ready as ${path.basename(build.tarball)} in ${Date.now() - started} ms`);
    }
  }
  const versionsMirror = await startMirror(releaseFiles(built));
  project.provide('versionsMirrorUrl', versionsMirror.url);
  project.provide('versionProblems', problems);
  return async () => {
    await versionsMirror.close();
    await mirror.close();
    await rm(cache, { recursive: true, force: true });
  };
}
