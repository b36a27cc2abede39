/**
 * A ZooKeeper installed by the system's package manager, turned into an Apache-layout tarball
 * so it goes through the very same unpack → zkServer.sh path as a download.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { chmodOwned, linkOwned, mkdirOwned, removeOwned, writeOwned } from '../edge/fs/owned-fs.js';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { pathExists } from '../edge/fs/files.js';
import { parseZkVersion, type ZkVersion } from '../zk/versions.js';
import { tarballTopDir } from '../zk/version-facts.js';
import { packDirectory } from './pack.js';
import { withLock } from '../edge/lock/lock.js';
import { remember } from './digests.js';
import { discardTarball, provenCached, writeDigestRecord } from './proof.js';

export interface SystemInstall {
  kind: 'debian' | 'apache-layout';
  version: ZkVersion;
  /** Debian: the scripts' dir and the jar dir. Apache layout: its root. */
  binDir: string;
  jarDir: string;
}


/** Debian/Ubuntu: scripts in /usr/share/zookeeper/bin, jars in /usr/share/java. */
async function findDebian(root: string): Promise<SystemInstall | undefined> {
  const binDir = path.join(root, 'usr/share/zookeeper/bin');
  const jarDir = path.join(root, 'usr/share/java');
  if (!(await pathExists(path.join(binDir, 'zkServer.sh'))) || !(await pathExists(path.join(jarDir, 'zookeeper.jar')))) return undefined;
  // The versioned name (zookeeper-3.8.0.jar) says which release it is without starting a JVM.
  const versioned = (await readdir(jarDir)).map((f) => /^zookeeper-(\d+\.\d+\.\d+)\.jar$/.exec(f)?.[1]).find(Boolean);
  const version = versioned ? parseZkVersion(versioned) : undefined;
  return version ? { kind: 'debian', version, binDir, jarDir } : undefined;
}

/** Homebrew and hand-made installs keep the Apache layout (bin/, lib/*.jar) under one root. */
async function findApacheLayout(dir: string): Promise<SystemInstall | undefined> {
  if (!(await pathExists(path.join(dir, 'bin/zkServer.sh')))) return undefined;
  const jars = await readdir(path.join(dir, 'lib')).catch(() => [] as string[]);
  const top = await readdir(dir).catch(() => [] as string[]);
  const text = [...jars, ...top].map((f) => /^zookeeper-(\d+\.\d+\.\d+)\.jar$/.exec(f)?.[1]).find(Boolean);
  const version = text ? parseZkVersion(text) : undefined;
  return version ? { kind: 'apache-layout', version, binDir: dir, jarDir: path.join(dir, 'lib') } : undefined;
}

/** The first system install found, or undefined. `root` is "/" except in tests. */
export async function findSystemInstall(root = '/'): Promise<SystemInstall | undefined> {
  return (
    (await findDebian(root)) ??
    (await findApacheLayout(path.join(root, 'opt/homebrew/opt/zookeeper/libexec'))) ??
    (await findApacheLayout(path.join(root, 'usr/local/opt/zookeeper/libexec')))
  );
}

/** The absolute jar paths a jar's manifest Class-Path names (Debian lists the server's dependencies there). */
export async function manifestClassPath(jar: string): Promise<string[]> {
  const { default: AdmZip } = await import('adm-zip');
  const manifest = new AdmZip(jar).readAsText('META-INF/MANIFEST.MF');
  // Manifest lines are wrapped at 72 bytes; a continuation line starts with one space.
  const unfolded = manifest.replace(/\r?\n /g, '');
  const line = /^Class-Path:\s*(.*)$/m.exec(unfolded)?.[1] ?? '';
  return line.split(/\s+/).filter(Boolean).map((p) => p.replace(/^file:/, ''));
}

/**
 * Logging for the packed tree: Debian's zkServer.sh does not pass zookeeper.root.logger, so
 * this configuration names its appender itself and writes where ZOO_LOG_DIR points.
 */
const LOG4J_PROPERTIES = `# Written by zkpseudo: logs go to \${zookeeper.log.dir}/\${zookeeper.log.file}.
log4j.rootLogger=INFO, ROLLINGFILE
log4j.appender.ROLLINGFILE=org.apache.log4j.RollingFileAppender
log4j.appender.ROLLINGFILE.File=\${zookeeper.log.dir}/\${zookeeper.log.file}
log4j.appender.ROLLINGFILE.MaxFileSize=10MB
log4j.appender.ROLLINGFILE.MaxBackupIndex=5
log4j.appender.ROLLINGFILE.layout=org.apache.log4j.PatternLayout
log4j.appender.ROLLINGFILE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
# Every four-letter word (each \`zkpseudo status\` poll) is logged at INFO by the connection
# classes; at WARN they do not drown the log a failover is read from.
log4j.logger.org.apache.zookeeper.server.NIOServerCnxn=WARN
log4j.logger.org.apache.zookeeper.server.NettyServerCnxn=WARN
`;

/**
 * zkEnv.sh for the packed tree, behaving as Apache's 3.5+ one does: ZOOCFGDIR, ZOO_LOG_DIR and
 * JAVA_HOME are honoured, the classpath is the conf dir plus every jar in lib/, and
 * ZK_SERVER_HEAP (MiB) becomes an -Xmx placed before SERVER_JVMFLAGS.
 */
const ZKENV_SH = `#!/usr/bin/env bash
# Written by zkpseudo when it packed a system ZooKeeper into an Apache layout.
ZOOKEEPER_PREFIX="$(cd "\${ZOOBINDIR:-$(dirname "\${BASH_SOURCE-$0}")}/.." && pwd)"
ZOOCFGDIR="\${ZOOCFGDIR:-$ZOOKEEPER_PREFIX/conf}"
if [ -f "$ZOOCFGDIR/java.env" ]; then . "$ZOOCFGDIR/java.env"; fi
ZOOCFG="$ZOOCFGDIR/\${ZOOCFG:-zoo.cfg}"
ZOO_LOG_DIR="\${ZOO_LOG_DIR:-$ZOOKEEPER_PREFIX/logs}"
if [[ -n "$JAVA_HOME" ]] && [[ -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
elif type -p java >/dev/null 2>&1; then
  JAVA="$(type -p java)"
else
  echo "Error: JAVA_HOME is not set and java could not be found in PATH." 1>&2
  exit 1
fi
CLASSPATH="$ZOOCFGDIR\${CLASSPATH:+:$CLASSPATH}"
for jar in "$ZOOKEEPER_PREFIX"/lib/*.jar; do CLASSPATH="$CLASSPATH:$jar"; done
ZK_SERVER_HEAP="\${ZK_SERVER_HEAP:-1000}"
SERVER_JVMFLAGS="-Xmx\${ZK_SERVER_HEAP}m $SERVER_JVMFLAGS"
ZK_CLIENT_HEAP="\${ZK_CLIENT_HEAP:-256}"
CLIENT_JVMFLAGS="-Xmx\${ZK_CLIENT_HEAP}m $CLIENT_JVMFLAGS"
`;

/**
 * Jars the manifest does not name but the server needs: slf4j's log4j binding, so log lines
 * reach log4j.properties, and the servlet API the AdminServer's Jetty needs (--admin-port).
 * And JLine 2 with the Jansi 1 it was built for (Debian's jline2 names Jansi 2, which lacks a
 * class it uses), so zkCli.sh has a prompt and history: without them it reads lines silently.
 * And the Netty pieces TLS needs that Debian's 3.8.0 manifest leaves out: netty-codec (Netty's
 * SslHandler extends its ByteToMessageDecoder, so a server with a secureClientPort fails to
 * start without it), netty-resolver (the Netty client socket zkCli.sh uses over TLS resolves
 * through it) and netty-transport-native-unix-common (which the listed epoll jar builds on).
 */
export const DEBIAN_EXTRA_JARS = [
  'slf4j-log4j12.jar', 'log4j-1.2.jar', 'servlet-api.jar', 'jline2.jar', 'jansi1.jar',
  'netty-codec.jar', 'netty-resolver.jar', 'netty-transport-native-unix-common.jar',
];

/** Bumped whenever the packed layout changes, so caches made by an older zkpseudo are redone. */
const PACK_LAYOUT = 5;

/** A short fingerprint of the installed files, so an upgraded package is packed again. */
async function fingerprint(install: SystemInstall): Promise<string> {
  const main = install.kind === 'debian' ? path.join(install.jarDir, 'zookeeper.jar') : path.join(install.binDir, 'bin/zkServer.sh');
  const s = await stat(main);
  return createHash('sha256').update(`${PACK_LAYOUT}:${install.kind}:${install.binDir}:${s.size}:${s.mtimeMs}`).digest('hex').slice(0, 10);
}

/** Lays out a Debian install as Apache's tarball has it, with symlinks to the real files. */
async function stageDebian(install: SystemInstall, staging: string, root: string): Promise<void> {
  const v = install.version.text;
  for (const d of ['bin', 'conf', 'lib', 'logs']) await mkdirOwned(root, path.join(staging, d));
  for (const script of ['zkServer.sh', 'zkCli.sh', 'zkCleanup.sh']) {
    const from = path.join(install.binDir, script);
    if (await pathExists(from)) await linkOwned(root, from, path.join(staging, 'bin', script));
  }
  await writeOwned(root, path.join(staging, 'bin/zkEnv.sh'), ZKENV_SH, { mode: 0o755 });
  await chmodOwned(root, path.join(staging, 'bin/zkEnv.sh'), 0o755);
  await writeOwned(root, path.join(staging, 'conf/log4j.properties'), LOG4J_PROPERTIES);
  await writeOwned(root, path.join(staging, 'conf/zoo_sample.cfg'), 'tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/tmp/zookeeper\nclientPort=2181\n');
  const mainJar = path.join(install.jarDir, 'zookeeper.jar');
  const deps = await manifestClassPath(mainJar);
  const jars = [...deps, ...DEBIAN_EXTRA_JARS.map((j) => path.join(install.jarDir, j))];
  await linkOwned(root, await realpath(mainJar), path.join(staging, 'lib', `zookeeper-${v}.jar`));
  for (const jar of jars) {
    // Some named jars may not be installed (jline; servlet-api on a minimal system): skip those.
    const real = await realpath(jar).catch(() => undefined);
    if (real) await linkOwned(root, real, path.join(staging, 'lib', path.basename(jar))).catch(() => undefined);
  }
  await writeOwned(root, path.join(staging, 'VERSION.zkpseudo'), `ZooKeeper ${v}, packed from the ${install.kind} install at ${install.binDir}\n`);
}

export interface PackedDist {
  tarball: string;
  sha512: string;
}

/**
 * Returns the cached Apache-layout tarball of a system install, packing it on first use. A
 * packed tarball is proven against the digest record beside it (see proof.ts) before it is
 * used, which also keeps a second `up` from re-hashing; a damaged one is removed and packed
 * again, saying so through `onNotice`.
 */
export async function packSystemInstall(install: SystemInstall, cacheDir: string, onNotice?: (text: string) => void): Promise<PackedDist> {
  const dir = path.join(cacheDir, 'system');
  await mkdirOwned(cacheDir, dir);
  const tarball = path.join(dir, `${tarballTopDir(install.version)}-${install.kind}-${await fingerprint(install)}.tar.gz`);
  return withLock(tarball, `the packed ${path.basename(tarball)}`, async () => {
    const proof = { ...(onNotice ? { onNotice } : {}), then: `packing the system install at ${install.binDir} again` };
    const cached = await provenCached(cacheDir, tarball, proof);
    if (cached.state === 'ok') return { tarball, sha512: cached.sha512 };
    if (cached.state === 'unrecorded') await discardTarball(cacheDir, tarball, 'it has no digest record beside it (a pack cut short?)', proof);
    const staging = `${tarball}.${process.pid}.tree`;
    try {
      await removeOwned(cacheDir, staging, { recursive: true });
      if (install.kind === 'debian') await stageDebian(install, staging, cacheDir);
      else await linkOwned(cacheDir, install.binDir, staging);
      const sha512 = await packDirectory(staging, tarballTopDir(install.version), tarball, cacheDir);
      await remember(cacheDir, tarball, sha512).catch(() => undefined);
      await writeDigestRecord(cacheDir, tarball, sha512);
      return { tarball, sha512 };
    } finally {
      await removeOwned(cacheDir, staging, { recursive: true });
    }
  });
}
