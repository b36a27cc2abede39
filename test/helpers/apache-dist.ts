/**
 * A ZooKeeper tarball in Apache's own binary layout, built from real Apache files: `bin/` and
 * `conf/` (logback) from Apache's source release as Debian's source package carries it
 * (scripts/setup.sh fetches it into .test-cache/apache-src), and `lib/` from the jars Debian
 * compiled from that same release, with logback as the logging binding and JLine for zkCli.
 * So the end-to-end tests also run Apache's zkServer.sh, zkEnv.sh and zkCli.sh, which are
 * what users who download Apache's tarball run — not only Debian's scripts.
 */
import { copyFile, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { packDirectory } from '../../src/tarball/pack.js';
import { manifestClassPath, type SystemInstall } from '../../src/tarball/system.js';

const REPO = path.resolve(import.meta.dirname, '../..');
export const APACHE_SRC_DIR = path.join(REPO, '.test-cache', 'apache-src');

/**
 * Jars beside the manifest's: logback (Apache 3.8 logs through it), JLine 2, the servlet API,
 * and the Netty jars TLS needs that Debian's manifest leaves out (Apache's tarball has them all).
 */
const EXTRA_JARS = ['logback-classic.jar', 'logback-core.jar', 'jline2.jar', 'jansi1.jar', 'servlet-api.jar', 'netty-codec.jar', 'netty-resolver.jar', 'netty-transport-native-unix-common.jar'];

/** The source release for `version`, or a sentence saying why there is none. */
export async function findApacheSource(version: string): Promise<string | { missing: string }> {
  const files = await readdir(APACHE_SRC_DIR).catch(() => [] as string[]);
  const tarball = files.find((f) => f === `zookeeper_${version}.orig.tar.gz`);
  return tarball ? path.join(APACHE_SRC_DIR, tarball) : { missing: `no zookeeper_${version}.orig.tar.gz in ${APACHE_SRC_DIR}: run scripts/setup.sh (it fetches Debian's zookeeper source package)` };
}

/** Builds `apache-zookeeper-X-bin.tar.gz` in `outDir`; returns its path and SHA-512. */
export async function buildApacheLayoutDist(source: string, install: SystemInstall, outDir: string): Promise<{ tarball: string; sha512: string }> {
  const tar = await import('tar');
  const v = install.version.text;
  const top = `apache-zookeeper-${v}-bin`;
  const staging = path.join(outDir, 'apache-staging', top);
  await rm(path.dirname(staging), { recursive: true, force: true });
  await mkdir(path.join(staging, 'lib'), { recursive: true });
  // bin/ and conf/ exactly as Apache released them.
  await tar.x({
    file: source,
    cwd: staging,
    strip: 1,
    filter: (p) => /^[^/]+\/(bin|conf)\//.test(p) && !p.endsWith('.cmd'),
  });
  const mainJar = path.join(install.jarDir, 'zookeeper.jar');
  await copyFile(await realpath(mainJar), path.join(staging, 'lib', `zookeeper-${v}.jar`));
  const jars = [...(await manifestClassPath(mainJar)), ...EXTRA_JARS.map((j) => path.join(install.jarDir, j))];
  for (const jar of jars) {
    const real = await realpath(jar).catch(() => undefined);
    // Apache 3.8 logs through logback: log4j and its binding would be a second binding.
    if (!real || /log4j/.test(path.basename(jar))) continue;
    if ((await stat(real)).isFile()) await copyFile(real, path.join(staging, 'lib', path.basename(jar)));
  }
  const tarball = path.join(outDir, `${top}.tar.gz`);
  const sha512 = await packDirectory(staging, top, tarball);
  await rm(path.dirname(staging), { recursive: true, force: true });
  return { tarball, sha512 };
}
