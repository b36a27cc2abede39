/**
 * The CDS archive builder's program: `node cds-builder.js --zkpseudo-cds-builder TREE ARCHIVE
 * FLAGS_JSON`, started detached by `up` when a tree has no archive yet. It lays out a scratch
 * server exactly as a CDS server is laid out (lib/ linked to the tree, the shared empty conf
 * dir as ZOOCFGDIR), starts it with zkServer.sh and -XX:ArchiveClassesAtExit, waits until it
 * serves, stops it (the JVM writes the archive as it exits), and moves the archive into place.
 * One builder per archive at a time (a lock); a failure leaves no archive, only a normal start.
 */
import { cp, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { emptyConfDir, loggingProperty } from '../edge/cds.js';
import { sendFourLetterWord } from '../edge/fourlw.js';
import { withLock } from '../edge/lock.js';
import { findFreeBlock } from '../edge/ports.js';
import { isAlive, waitGone } from '../edge/process.js';

import { CDS_BUILDER_FLAG } from './cds-builder-flag.js';

async function build(tree: string, archive: string, flags: string[]): Promise<void> {
  if (await stat(archive).catch(() => undefined)) return;
  const work = path.join(path.dirname(archive), `work-${process.pid}`);
  const root = path.join(work, 'server');
  const temp = `${archive}.${process.pid}.tmp`;
  try {
    await mkdir(root, { recursive: true });
    await cp(tree, root, { recursive: true, filter: (src) => src !== path.join(tree, 'lib') && !src.startsWith(path.join(tree, '.zkpseudo-empty-conf')) });
    await symlink(path.join(tree, 'lib'), path.join(root, 'lib'));
    const port = await findFreeBlock(1);
    const data = path.join(root, 'data');
    await mkdir(data, { recursive: true });
    await mkdir(path.join(root, 'logs'), { recursive: true });
    const cfg = path.join(root, 'conf', 'zoo.cfg');
    await writeFile(cfg, `tickTime=2000\ndataDir=${data}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=*\n`);
    const logging = await loggingProperty(path.join(root, 'conf'));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
      ZOOCFGDIR: await emptyConfDir(tree), ZOO_LOG_DIR: path.join(root, 'logs'), ZOOPIDFILE: path.join(data, 'pid'),
      JMXDISABLE: 'true', CLASSPATH: '', JVMFLAGS: '', ZK_SERVER_HEAP: '128',
      SERVER_JVMFLAGS: [...flags, `-XX:ArchiveClassesAtExit=${temp}`, ...(logging ? [logging] : [])].join(' '),
    };
    await execa(path.join(root, 'bin', 'zkServer.sh'), ['start', cfg], { env, extendEnv: false, cwd: root, stdin: 'ignore', reject: false, timeout: 60_000 });
    const pid = Number(await readFile(path.join(data, 'pid'), 'utf8').catch(() => '0'));
    if (!pid) return;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const reply = await sendFourLetterWord(port, 'srvr', 1000).catch(() => '');
      if (/Mode: standalone/.test(reply)) break;
      if (!(await isAlive(pid))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await sendFourLetterWord(port, 'mntr', 1000).catch(() => '');
    process.kill(pid, 'SIGTERM');
    if (!(await waitGone(pid, 60_000))) { process.kill(pid, 'SIGKILL'); return; }
    if (((await stat(temp).catch(() => undefined))?.size ?? 0) > 0) await rename(temp, archive);
  } finally {
    await rm(temp, { force: true });
    await rm(work, { recursive: true, force: true });
  }
}

const [flag, tree, archive, flagsJson] = process.argv.slice(2);
if (flag === CDS_BUILDER_FLAG && tree && archive && flagsJson) {
  await mkdir(path.dirname(archive), { recursive: true });
  // A second builder for the same archive waits for the first and then finds it built.
  await withLock(archive, 'the CDS archive', () => build(tree, archive, JSON.parse(flagsJson) as string[]), 120_000).catch(() => undefined);
}
