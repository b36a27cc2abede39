/**
 * The CDS archive builder, run as its own process by builder-main.ts: `node builder-main.js --zkpseudo-cds-builder TREE ARCHIVE
 * FLAGS_JSON VERSION`, started detached by `up` when a tree has no archive yet. It runs the tree's own
 * bin/zkServer.sh (so the archive records the tree's jar paths, which outlive the builder —
 * the JVM checks the recorded paths at every later start) with the shared empty conf dir as
 * ZOOCFGDIR and -XX:ArchiveClassesAtExit, for a small quorum of scratch servers (127.0.0.1,
 * free ports), waits until it serves, stops it (each JVM writes an archive as it exits), and
 * moves a follower's archive into place. One builder per archive at a time (a lock); a failure leaves no archive,
 * which only means a normal start.
 */
import { readFile, stat } from 'node:fs/promises';
import { copyOwned, mkdirOwned, removeOwned, renameOwned, writeOwned } from '../../edge/fs/owned-fs.js';
import path from 'node:path';
import { execa } from 'execa';
import { emptyConfDir, loggingProperty } from './archive.js';
import { sendFourLetterWord } from '../../edge/fourlw.js';
import { findFreeBlock } from '../../edge/ports.js';
import { isAlive, waitGone } from '../../edge/process/process.js';
import type { Member } from '../../options/types.js';
import { renderZooCfg } from '../../zk/config/config.js';
import { versionFacts } from '../../zk/version-facts.js';
import type { ZkVersion } from '../../zk/versions.js';
import { zooCfgTemplate } from '../store/server-files.js';


/**
 * Two servers in a quorum, each dumping at exit: the follower's archive is kept, since most
 * servers of an ensemble follow, and a quorum member loads the election and replication
 * classes a standalone server never touches.
 */
const QUORUM = 2;

/**
 * The zoo.cfg of scratch server `i` (1-based) of the builder's quorum, on ports from `base`
 * (client ports, then quorum, then election): rendered by the same template, for the same
 * release, as every server `up` starts (3.4 refuses the `;client` suffix of 3.5+).
 */
export function builderZooCfg(template: string, version: ZkVersion, i: number, base: number, dataDir: string): string {
  const members: Member[] = Array.from({ length: QUORUM }, (_, k) => ({
    id: k + 1, peerType: 'participant', ports: { client: base + k, quorum: base + QUORUM + k, election: base + 2 * QUORUM + k },
  }));
  return renderZooCfg(template, { ensemble: 'zkpseudo-cds-builder', version, self: members[i - 1]!, members, dataDir, config: {} });
}

/** Dumps the archive for `tree` (a copy of `version`) with the given server JVM flags; leaves none when anything fails. */
export async function buildArchive(tree: string, archive: string, flags: string[], version: ZkVersion): Promise<void> {
  if (await stat(archive).catch(() => undefined)) return;
  // Everything the builder makes stays in the archive's directory (the cache's cds/).
  const own = path.dirname(archive);
  const work = path.join(own, `work-${process.pid}`);
  const temps = Array.from({ length: QUORUM }, (_, i) => `${archive}.${process.pid}${i}.tmp`);
  const pids: number[] = [];
  try {
    const base = await findFreeBlock(3 * QUORUM);
    const template = await zooCfgTemplate();
    const emptyConf = await emptyConfDir(tree);
    for (let i = 0; i < QUORUM; i++) {
      const root = path.join(work, `server-${i + 1}`);
      const data = path.join(root, 'data');
      await mkdirOwned(own, data);
      await mkdirOwned(own, path.join(root, 'logs'));
      await copyOwned(own, path.join(tree, 'conf'), path.join(root, 'conf'));
      await writeOwned(own, path.join(data, 'myid'), `${i + 1}\n`);
      const cfg = path.join(root, 'conf', 'zoo.cfg');
      await writeOwned(own, cfg, builderZooCfg(template, version, i + 1, base, data));
      const logging = await loggingProperty(path.join(root, 'conf'), versionFacts(version).loggingConfigs);
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
        ZOOCFGDIR: emptyConf, ZOO_LOG_DIR: path.join(root, 'logs'), ZOOPIDFILE: path.join(data, 'pid'),
        JMXDISABLE: 'true', CLASSPATH: '', JVMFLAGS: '', ZK_SERVER_HEAP: '128',
        SERVER_JVMFLAGS: [...flags, `-XX:ArchiveClassesAtExit=${temps[i]}`, ...(logging ? [logging] : [])].join(' '),
      };
      await execa(path.join(tree, 'bin', 'zkServer.sh'), ['start', cfg], { env, extendEnv: false, cwd: root, stdin: 'ignore', reject: false, timeout: 60_000 });
      const pid = Number(await readFile(path.join(data, 'pid'), 'utf8').catch(() => '0'));
      if (pid) pids.push(pid);
    }
    if (pids.length < QUORUM) return;
    const deadline = Date.now() + 60_000;
    let follower = -1;
    while (Date.now() < deadline && follower < 0) {
      const modes = await Promise.all(Array.from({ length: QUORUM }, (_, i) => sendFourLetterWord(base + i, 'srvr', 1000).catch(() => '')));
      if (modes.some((m) => /Mode: leader/.test(m))) follower = modes.findIndex((m) => /Mode: follower/.test(m));
      if (!(await Promise.all(pids.map(isAlive))).every(Boolean)) return;
      if (follower < 0) await new Promise((r) => setTimeout(r, 100));
    }
    if (follower < 0) return;
    await sendFourLetterWord(base + follower, 'mntr', 1000).catch(() => '');
    for (const pid of pids) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
    for (const pid of pids) if (!(await waitGone(pid, 60_000))) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    if (((await stat(temps[follower]!).catch(() => undefined))?.size ?? 0) > 0) await renameOwned(own, temps[follower]!, archive);
  } finally {
    for (const pid of pids) if (await isAlive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const t of temps) await removeOwned(own, t);
    await removeOwned(own, work, { recursive: true });
  }
}
