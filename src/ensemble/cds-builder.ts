/**
 * The CDS archive builder's program: `node cds-builder.js --zkpseudo-cds-builder TREE ARCHIVE
 * FLAGS_JSON`, started detached by `up` when a tree has no archive yet. It runs the tree's own
 * bin/zkServer.sh (so the archive records the tree's jar paths, which outlive the builder —
 * the JVM checks the recorded paths at every later start) with the shared empty conf dir as
 * ZOOCFGDIR and -XX:ArchiveClassesAtExit, a scratch config, data and log dir of its own, waits
 * until the server serves, stops it (the JVM writes the archive as it exits), and moves the
 * archive into place. One builder per archive at a time (a lock); a failure leaves no archive,
 * which only means a normal start.
 */
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
    await mkdir(path.join(root, 'conf'), { recursive: true });
    await cp(path.join(tree, 'conf'), path.join(root, 'conf'), { recursive: true });
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
    await execa(path.join(tree, 'bin', 'zkServer.sh'), ['start', cfg], { env, extendEnv: false, cwd: root, stdin: 'ignore', reject: false, timeout: 60_000 });
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
