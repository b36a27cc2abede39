/**
 * Several ensembles on one machine, for real: two on auto ports healthy at once, an observer
 * that says so in `srvr`, a held port that stops `up` before anything starts, a change of shape
 * that is refused without touching the running ensemble, and the Java checks.
 */
import net from 'node:net';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up, type Ensemble } from '../../src/index.js';
import { sendFourLetterWord } from '../../src/edge/fourlw.js';
import { parseSrvr } from '../../src/zk/state/fourlw.js';
import { findFreeBlock } from '../../src/edge/ports.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

const ENSEMBLES = path.resolve(import.meta.dirname, '../../ensembles');

describe('ensembles side by side, ports, observers, shapes, Java', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('ensembles'); });
  afterAll(async () => { await sb?.cleanup(); });

  let a: Ensemble;
  let b: Ensemble;

  it('runs two ensembles on auto ports, healthy at the same time, and ls lists both', async () => {
    const common = { servers: 3, ports: 'auto' as const, zkVersion: sb.zkVersion, mirror: sb.mirrorUrl, env: sb.env };
    [a, b] = await Promise.all([up({ ...common, name: 'a' }), up({ ...common, name: 'b' })]);
    const [sa, sbStatus] = await Promise.all([a.status(), b.status()]);
    expect(sa.health.state).toBe('healthy');
    expect(sbStatus.health.state).toBe('healthy');
    const portsA = new Set(a.servers.flatMap((s) => [s.clientPort, s.quorumPort, s.electionPort]));
    expect(b.servers.flatMap((s) => [s.clientPort, s.quorumPort, s.electionPort]).some((p) => portsA.has(p))).toBe(false);
    const ls = await sb.cli(['ls', '--json']);
    const listed = JSON.parse(ls.stdout).ensembles.map((e: { name: string; state: string }) => `${e.name}:${e.state}`);
    expect(listed).toEqual(['a:healthy', 'b:healthy']);
  });

  it('refuses a different shape of an existing ensemble and leaves it running untouched', async () => {
    const pids = (await a.status()).servers.map((s) => s.pid);
    const r = await sb.cli(['up', '5', '--name', 'a']);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toMatch(/already exists with 3 servers, not 5/);
    expect(r.stderr).toMatch(/down --purge --name a/);
    const after = await a.status();
    expect(after.health.state).toBe('healthy');
    expect(after.servers.map((s) => s.pid)).toEqual(pids);
  });

  it('a second up with no options resumes with the recorded auto ports', async () => {
    const r = await sb.cli(['up', '--name', 'b', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.started).toEqual([]);
    expect(json.connectString).toBe(b.connectString);
    await Promise.all([a.down({ purge: true }), b.down({ purge: true })]);
  });

  it('a port in use stops `up` before any server starts, naming the port and its owner', async () => {
    // A block proven free first, so the one port held below is the only busy one.
    const base = await findFreeBlock(9);
    const held = base + 4; // the quorum port of server 2 in a block of three
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(held, '127.0.0.1', resolve));
    try {
      const r = await sb.cli(['up', '3', '--name', 'held', '--base-port', String(base), '--zk-version', sb.zkVersion, '--mirror', sb.mirrorUrl]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`Port ${held} (held by pid ${process.pid}`);
      expect(r.stderr).toMatch(/no server was started/);
      expect(await serverPidsUnder(path.join(sb.root, 'home', 'held'))).toEqual([]);
      expect((await sb.cli(['status', '--name', 'held'])).exitCode).toBe(3);
    } finally {
      holder.close();
    }
  });

  it('adds observers: server 4 observes (srvr says so), and only voters count for the quorum', async () => {
    const r = await sb.cli(['up', '-f', path.join(ENSEMBLES, 'three-plus-observer.yaml'), '--mirror', sb.mirrorUrl, '--zk-version', sb.zkVersion, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.name).toBe('three-plus-observer');
    const observer = json.servers.find((s: { id: number }) => s.id === 4);
    expect(observer.peerType).toBe('observer');
    const srvr = parseSrvr(await sendFourLetterWord(observer.clientPort, 'srvr'));
    expect(srvr.serving && srvr.reply.mode).toBe('observer');
    expect(json.health).toMatchObject({ state: 'healthy', voters: 3, majority: 2 });
    // The extra config key from the file reached zoo.cfg.
    const conf = await sendFourLetterWord(observer.clientPort, 'conf');
    expect(conf).toMatch(/maxSessionTimeout=60000/);
    expect((await sb.cli(['down', '--purge', '--name', 'three-plus-observer'])).exitCode).toBe(0);
  });

  it('says clearly when Java is missing or too old for the ZooKeeper version, before starting anything', async () => {
    const noJava = await sb.cli(['up', '--name', 'nojava', '--dist', 'system', '--zk-version', sb.zkVersion], { env: { JAVA_HOME: '/nonexistent', PATH: '/usr/local/sbin:/nonexistent' } });
    expect(noJava.exitCode).toBe(2);
    expect(noJava.stderr).toMatch(/No Java runtime was found/);
    const fake = path.join(sb.root, 'old-jdk');
    await mkdir(path.join(fake, 'bin'), { recursive: true });
    await writeFile(path.join(fake, 'bin', 'java'), '#!/bin/sh\necho \'java version "1.7.0_80"\' >&2\n');
    await chmod(path.join(fake, 'bin', 'java'), 0o755);
    await writeFile(path.join(fake, 'release'), 'JAVA_VERSION="1.7.0_80"\n');
    const old = await sb.cli(['up', '--name', 'oldjava', '--dist', 'system', '--zk-version', sb.zkVersion], { env: { JAVA_HOME: fake } });
    expect(old.exitCode).toBe(2);
    expect(old.stderr).toMatch(/needs Java 8 or later, but .*old-jdk\/bin\/java is Java 1\.7\.0_80/);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
  });

});

describe('the AdminServer, when asked for', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('admin'); });
  afterAll(async () => { await sb?.cleanup(); });

  it('gives each server its own port on 127.0.0.1 and answers there', async () => {
    const zk = await up({ name: 'admin', servers: 3, ports: 'auto', adminPort: 'auto', zkVersion: sb.zkVersion, mirror: sb.mirrorUrl, env: sb.env });
    const spec = (await import('yaml')).parse(await (await import('node:fs/promises')).readFile(path.join(zk.dir, 'ensemble.yaml'), 'utf8'));
    const adminPorts: number[] = spec.members.map((m: { ports: { admin: number } }) => m.ports.admin);
    expect(new Set(adminPorts).size).toBe(3);
    for (const port of adminPorts) {
      const res = await fetch(`http://127.0.0.1:${port}/commands/ruok`);
      expect(res.status).toBe(200);
      expect((await res.json()).command).toBe('ruok');
    }
  });
});
