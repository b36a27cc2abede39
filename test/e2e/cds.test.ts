/**
 * Class-data sharing (issue 14): the first healthy ensemble builds one archive for its tree
 * and Java in the background; later servers of any ensemble map it; a damaged archive, a
 * cleared cache or ZKPSEUDO_CDS=0 all end in a normal, healthy start.
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up } from '../../src/index.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) { if (await check()) return true; await new Promise((r) => setTimeout(r, 200)); }
  return check();
}

const cmdline = async (pid: number) => (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
const mapsArchive = async (pid: number, archive: string) => (await readFile(`/proc/${pid}/maps`, 'utf8')).includes(archive);

describe('class-data sharing', () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => { sb = await createSandbox('cds'); env = { ...sb.env, ZKPSEUDO_CDS: '' }; });
  afterAll(async () => { await sb?.cleanup(); });
  const cds = () => path.join(sb.root, 'cache', 'cds');
  const archives = async () => (await readdir(cds()).catch(() => [] as string[])).filter((f) => f.endsWith('.jsa'));

  it('the first ensemble builds the archive in the background; a second ensemble\'s servers map it', async () => {
    const first = await up({ name: 'first', servers: 3, ports: 'auto', env });
    expect(lstatSync(path.join(first.dir, 'zookeeper-1', 'lib')).isSymbolicLink()).toBe(true);
    expect(await until(async () => (await archives()).length === 1, 60_000)).toBe(true);
    const archive = path.join(cds(), (await archives())[0]!);
    const second = await up({ name: 'second', servers: 3, ports: 'auto', env });
    try {
      for (const s of second.servers) {
        const argv = await cmdline(s.pid!);
        expect(argv).toContain(`-XX:SharedArchiveFile=${archive}`);
        expect(await mapsArchive(s.pid!, archive)).toBe(true);
        // The server's own logging configuration still applies (named by system property).
        expect(argv.some((a) => a.startsWith('-Dlog4j.configuration=file:') || a.startsWith('-Dlogback.configurationFile='))).toBe(true);
      }
      expect((await second.status()).health.state).toBe('healthy');
      const logs = await readdir(path.join(second.dir, 'zookeeper-1', 'logs'));
      expect(logs.some((f) => f.endsWith('.log'))).toBe(true);
    } finally {
      await second.down({ purge: true });
      await first.down({ purge: true });
    }
  });

  it('a damaged archive costs nothing: the servers start normally and the ensemble is healthy', async () => {
    const archive = path.join(cds(), (await archives())[0]!);
    await writeFile(archive, 'not an archive');
    const notices: string[] = [];
    const zk = await up({ name: 'damaged', servers: 3, ports: 'auto', env, onEvent: (e) => { if (e.kind === 'notice') notices.push(e.text); } });
    try {
      expect((await zk.status()).health.state).toBe('healthy');
      expect(await mapsArchive(zk.servers[0]!.pid!, archive)).toBe(false);
      // It is quarantined, said so, and built afresh in the background (done before the next test clears the cache).
      expect(notices.join('\n')).toContain(`The CDS archive ${archive} was damaged`);
      expect(await readdir(path.join(cds(), 'quarantine'))).toHaveLength(1);
      expect(await until(async () => (await archives()).length === 1 && !(await readdir(cds())).some((f) => f.startsWith('work-') || f.endsWith('.lock')), 90_000)).toBe(true);
    } finally {
      await zk.down({ purge: true });
    }
  });

  it('cache clear under an ensemble whose lib/ links into the cache keeps that tree: the servers still start', async () => {
    const zk = await up({ name: 'cleared', servers: 3, ports: 'auto', env });
    await zk.down();
    const tree = realpathSync(path.join(zk.dir, 'zookeeper-1', 'lib')); // <tree>/lib
    const clear = await sb.cli(['cache', 'clear', '--json'], { env });
    expect(clear.exitCode, clear.stderr).toBe(0);
    const report = JSON.parse(clear.stdout) as { inUse: { tree: string; users: string[] }[] };
    expect(report.inUse.map((t) => path.join(t.tree, 'lib'))).toEqual([tree]);
    expect(report.inUse[0]!.users).toHaveLength(3);
    expect(existsSync(cds())).toBe(false);
    // No repair needed: `start`, which never unpacks, works on every server.
    const start = await sb.cli(['start', 'all', '--name', 'cleared', '--wait'], { env });
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stderr).not.toMatch(/damaged|no ZooKeeper jars/);
    // Once the ensemble is gone, the next clear takes the tree.
    await sb.cli(['down', '--purge', '--name', 'cleared'], { env });
    const again = JSON.parse((await sb.cli(['cache', 'clear', '--json'], { env })).stdout) as { inUse: unknown[] };
    expect(again.inUse).toEqual([]);
    expect(existsSync(tree)).toBe(false);
  });

  it('ZKPSEUDO_CDS=0: full copies, no archive flags', async () => {
    const zk = await up({ name: 'off', servers: 1, ports: 'auto', env: { ...env, ZKPSEUDO_CDS: '0' } });
    try {
      expect(lstatSync(path.join(zk.dir, 'zookeeper-1', 'lib')).isDirectory()).toBe(true);
      expect((await cmdline(zk.servers[0]!.pid!)).some((a) => a.includes('SharedArchiveFile'))).toBe(false);
    } finally {
      await zk.down({ purge: true });
    }
  });
});
