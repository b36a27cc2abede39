/**
 * Concurrency, crash recovery, durability and exposure, with real servers: two `up`s of one
 * ensemble end with one ensemble; two processes filling the cache download once; servers
 * killed with SIGKILL and damaged files are recovered; 1000 znodes survive every server being
 * killed and restarted; nothing listens beyond 127.0.0.1 and nothing written is world-writable.
 */
import { execa } from 'execa';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, up } from '../../src/index.js';
import { connect, CreateMode, type Session } from '../../src/edge/zkclient.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { tarballName, parseZkVersion } from '../../src/zk/versions.js';
import { startDistMirror, type Mirror } from '../helpers/mirror.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('concurrency', () => {
  let sb: Sandbox;
  let mirror: Mirror;
  beforeAll(async () => {
    sb = await createSandbox('concurrency');
    mirror = await startDistMirror();
  });
  afterAll(async () => { await sb?.cleanup(); await mirror?.close(); });

  it('two processes filling an empty cache at once download the tarball once and both succeed', async () => {
    const args = (name: string) => [CLI, 'up', '3', '--name', name, '--ports', 'auto', '--zk-version', sb.zkVersion, '--mirror', mirror.url, '--json'];
    const [a, b] = await Promise.all([execa(process.execPath, args('one'), { env: sb.env, reject: false }), execa(process.execPath, args('two'), { env: sb.env, reject: false })]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(mirror.requests.filter((p) => p.endsWith('.tar.gz'))).toHaveLength(1);
    const cache = await readdir(sb.env.ZKPSEUDO_CACHE!);
    expect(cache.filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(cache).toContain(tarballName(parseZkVersion(sb.zkVersion)!));
    for (const name of ['one', 'two']) expect((await sb.cli(['down', '--purge', '--name', name])).exitCode).toBe(0);
  });

  it('two `up`s of the same ensemble at once end with one ensemble of three servers', async () => {
    const args = [CLI, 'up', '3', '--name', 'same', '--ports', 'auto', '--zk-version', sb.zkVersion, '--mirror', mirror.url, '--json'];
    const [a, b] = await Promise.all([execa(process.execPath, args, { env: sb.env, reject: false }), execa(process.execPath, args, { env: sb.env, reject: false })]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    const [ja, jb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect([ja.created, jb.created].sort()).toEqual([false, true]);
    expect([...ja.started, ...jb.started].sort()).toEqual([1, 2, 3]);
    expect(ja.connectString).toBe(jb.connectString);
    expect(await serverPidsUnder(path.join(sb.root, 'home', 'same'))).toHaveLength(3);
    expect((await sb.cli(['down', '--purge', '--name', 'same'])).exitCode).toBe(0);
  });
});

describe('crash recovery, durability, exposure', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('resilience'); });
  afterAll(async () => { await sb?.cleanup(); });

  it('writes 1000 znodes and reads all of them back after each server, then all at once, is killed and restarted', async () => {
    const zk = await up({ name: 'durable', servers: 3, ports: 'auto', zkVersion: sb.zkVersion, mirror: sb.mirrorUrl, env: sb.env });
    const ids = Array.from({ length: 1000 }, (_, i) => i);
    let s: Session = await connect(zk.connectString);
    await s.create('/durable', '', CreateMode.PERSISTENT);
    await inBatches(ids, 100, (i) => s.create(`/durable/n${i}`, `value-${i}`, CreateMode.PERSISTENT));
    s.close();

    for (const id of [1, 2, 3]) {
      expect(await zk.kill(id)).toEqual([id]);
      expect((await zk.start(id))[id]).toBe('started');
      await zk.waitHealthy({ timeout: '60s' });
    }
    expect((await zk.kill('all')).sort()).toEqual([1, 2, 3]);
    expect(await serverPidsUnder(zk.dir)).toEqual([]);
    await zk.start('all');
    await zk.waitHealthy({ timeout: '60s' });

    s = await connect(zk.connectString);
    try {
      const children = await new Promise<string[]>((resolve, reject) => s.client.getChildren('/durable', (err, c) => (err ? reject(err) : resolve(c))));
      expect(children).toHaveLength(1000);
      const values: string[] = [];
      await inBatches(ids, 100, async (i) => { values[i] = (await s.getData(`/durable/n${i}`)).data; });
      expect(values.every((v, i) => v === `value-${i}`)).toBe(true);
    } finally {
      s.close();
    }
  }, 240_000);

  it('copes with SIGKILLed servers, a deleted logs/ dir and a missing myid, and says what it found', async () => {
    const zk = await open('durable', { env: sb.env });
    // A crash zkpseudo did not cause (its own `kill` clears the pid files it leaves).
    const pids = await serverPidsUnder(path.join(sb.root, 'home', 'durable'));
    expect(pids).toHaveLength(3);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && (await serverPidsUnder(path.join(sb.root, 'home', 'durable'))).length; i++) await new Promise((r) => setTimeout(r, 50));
    const paths = ensemblePaths(zk.home, zk.name);
    await rm(paths.server(2).logsDir, { recursive: true, force: true });
    await rm(paths.server(3).myid, { force: true });
    const status = await sb.cli(['status', '--name', 'durable']);
    expect(status.exitCode).toBe(2);
    expect(status.stdout.match(/stale pid file: process \d+ is gone/g)).toHaveLength(3);
    const r = await sb.cli(['up', '--name', 'durable']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/server 2: its logs\/ directory was missing; recreated it/);
    expect(r.stderr).toMatch(/server 3: data\/myid was missing; rewrote it/);
    expect(r.stderr).toMatch(/removed a stale pid file/);
    expect(await readFile(paths.server(3).myid, 'utf8')).toBe('3\n');
    // Seen once in CI under load: no session within 10 s right after this recovery. The
    // longer wait keeps the test about recovery; the closing note records the observation.
    const s = await connect(zk.connectString, 30_000);
    try {
      expect((await s.getData('/durable/n999')).data).toBe('value-999');
    } finally {
      s.close();
    }
  });

  it('listens on 127.0.0.1 only, and writes nothing world-writable', async () => {
    const zk = await open('durable', { env: sb.env });
    const pids = (await zk.status()).servers.map((x) => x.pid!);
    expect(pids).toHaveLength(3);
    const listening: string[] = [];
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const rows = (await readFile(table, 'utf8')).split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((c) => c[3] === '0A');
      const inodes = new Map(rows.map((c) => [c[9]!, c[1]!]));
      for (const pid of pids) {
        for (const fd of await readdir(`/proc/${pid}/fd`)) {
          const link = await import('node:fs/promises').then((fs) => fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
          const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
          if (inode && inodes.has(inode)) listening.push(inodes.get(inode)!);
        }
      }
    }
    // client, quorum (leader only) and election ports: at least 7 listeners for three servers.
    expect(listening.length).toBeGreaterThanOrEqual(7);
    const loopback = (addr: string) => addr.startsWith('0100007F:') || addr.startsWith('0000000000000000FFFF00000100007F:');
    expect(listening.filter((a) => !loopback(a))).toEqual([]);

    const loose: string[] = [];
    async function walk(dir: string) {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        const st = await stat(full);
        if (st.mode & 0o002) loose.push(full);
        if (e.isDirectory()) await walk(full);
      }
    }
    await walk(zk.dir);
    expect(loose).toEqual([]);
  });
});
