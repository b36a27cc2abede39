/**
 * The core promise, for real: `up 3` downloads the tarball from a (loopback) mirror, verifies it,
 * unpacks it three times and starts three ZooKeeper JVMs with zkServer.sh; one leads, two
 * follow; a client writes through server 1 and reads through server 3; `down` leaves no
 * process; a second `up` finds the data; `down --purge` deletes it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up, type Ensemble } from '../../src/index.js';
import { connect, CreateMode } from '../../src/edge/zkclient.js';
import { isAlive } from '../../src/edge/process/process.js';
import { cacheDir } from '../../src/tarball/resolve.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';
import { startDistMirror, type DistLayout, type Mirror } from '../helpers/mirror.js';
import { parseZkVersion } from '../../src/zk/versions.js';
import { tarballName } from '../../src/zk/version-facts.js';

// Both layouts: the system install as zkpseudo packs it (Debian's scripts), and Apache's own
// binary layout (Apache's bin/zkServer.sh, zkEnv.sh and logback conf), as users download it.
describe.each<DistLayout>(['debian-packed', 'apache'])('up 3 / status / down, end to end (%s tarball)', (layout) => {
  let sb: Sandbox;
  let mirror: Mirror;
  let ensemble: Ensemble;

  beforeAll(async () => {
    sb = await createSandbox(`core-${layout}`);
    // A mirror of our own, so this test can count what is downloaded.
    mirror = await startDistMirror(layout);
  });
  afterAll(async () => {
    await sb?.cleanup();
    await mirror?.close();
  });

  it('downloads, verifies, unpacks and reaches a healthy quorum of one leader and two followers', async () => {
    const started = Date.now();
    ensemble = await up({ reuse: true, servers: 3, ports: 'auto', zkVersion: sb.zkVersion, mirror: mirror.url, env: sb.env });
    const elapsed = Date.now() - started;
    console.log(`up 3 (download + unpack + start) to healthy: ${elapsed} ms`);

    expect(mirror.requests.filter((p) => p.endsWith('.tar.gz'))).toHaveLength(1);
    expect(mirror.requests.filter((p) => p.endsWith('.sha512'))).toHaveLength(1);
    expect(existsSync(`${cacheDir(sb.env)}/${tarballName(parseZkVersion(sb.zkVersion)!)}`)).toBe(true);

    const status = await ensemble.status();
    expect(status.health.state).toBe('healthy');
    const roles = status.servers.map((s) => s.role).sort();
    expect(roles).toEqual(['follower', 'follower', 'leader']);
    for (const s of status.servers) {
      expect(s.pid).toBeGreaterThan(0);
      expect(await isAlive(s.pid!)).toBe(true);
    }
    // The scripts that ran are the layout's own: Apache's zkEnv.sh and logback conf, or the packed ones.
    const zkEnv = readFileSync(path.join(ensemble.dir, 'zookeeper-1', 'bin', 'zkEnv.sh'), 'utf8');
    if (layout === 'apache') {
      expect(zkEnv).toMatch(/Licensed to the Apache Software Foundation/);
      expect(existsSync(path.join(ensemble.dir, 'zookeeper-1', 'conf', 'logback.xml'))).toBe(true);
    } else expect(zkEnv).toMatch(/Written by zkpseudo/);
    // The servers are the ones this sandbox started: their command lines name its directory.
    expect((await serverPidsUnder(sb.root)).sort()).toEqual(status.servers.map((s) => s.pid).sort());
  });

  it('serves: a write through server 1 is read through server 3', async () => {
    const [s1, , s3] = ensemble.servers;
    const writer = await connect(`127.0.0.1:${s1!.clientPort}`);
    const reader = await connect(`127.0.0.1:${s3!.clientPort}`);
    try {
      await writer.create('/core-sync', '', CreateMode.PERSISTENT);
      await writer.create('/core-test', 'written-through-1', CreateMode.PERSISTENT);
      await reader.catchUp('/core-sync');
      expect((await reader.getData('/core-test')).data).toBe('written-through-1');
    } finally {
      writer.close();
      reader.close();
    }
  });

  it('status via the CLI prints the table and exits 0 when healthy; --json has every server', async () => {
    const human = await sb.cli(['status']);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/healthy: 3\/3 voters serving, leader \d, tolerates 1 failure/);
    const json = await sb.cli(['status', '--json']);
    expect(json.exitCode).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.servers).toHaveLength(3);
    expect(parsed.connectString).toBe(ensemble.connectString);
    expect(parsed.servers.filter((s: { role: string }) => s.role === 'leader')).toHaveLength(1);
  });

  it('status polls do not drown the server logs (the four-letter-word handlers log at WARN)', async () => {
    for (let i = 0; i < 5; i++) expect((await sb.cli(['status', '-q'])).exitCode).toBe(0);
    for (const id of [1, 2, 3]) {
      const logs = path.join(ensemble.dir, `zookeeper-${id}`, 'logs');
      const text = (await Promise.all(readdirSync(logs).map((f) => readFile(path.join(logs, f), 'utf8')))).join('');
      expect(text).toMatch(/LEADING|FOLLOWING/);
      expect(text).not.toMatch(/Processing (srvr|conf) command/);
    }
  });

  it('down stops every process and waits until each is gone', async () => {
    const pids = (await ensemble.status()).servers.map((s) => s.pid!);
    const r = await sb.cli(['down']);
    expect(r.exitCode).toBe(0);
    for (const pid of pids) expect(await isAlive(pid)).toBe(false);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
    const status = await sb.cli(['status']);
    expect(status.exitCode).toBe(2);
    expect(status.stdout).toMatch(/no quorum/);
  });

  it('a second up resumes the same ensemble from the cache and finds the data', async () => {
    const tarballRequests = mirror.requests.filter((p) => p.endsWith('.tar.gz')).length;
    ensemble = await up({ reuse: true, env: sb.env });
    expect(mirror.requests.filter((p) => p.endsWith('.tar.gz')).length).toBe(tarballRequests);
    expect((await ensemble.status()).health.state).toBe('healthy');
    const reader = await connect(ensemble.connectString);
    try {
      expect((await reader.getData('/core-test')).data).toBe('written-through-1');
    } finally {
      reader.close();
    }
  });

  it('down --purge deletes the ensemble; status then says there is none (exit 3)', async () => {
    const r = await sb.cli(['down', '--purge']);
    expect(r.exitCode).toBe(0);
    expect(existsSync(ensemble.dir)).toBe(false);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
    const status = await sb.cli(['status']);
    expect(status.exitCode).toBe(3);
    expect(status.stderr).toMatch(/no ensemble named "default"/);
  });
});
