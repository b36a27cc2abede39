/**
 * Rolling upgrades between real builds (3.8.0 → 3.9.3, served by the versions mirror, see
 * global-setup): a client writes all the time while `zkpseudo upgrade 3.9.3 --rolling` moves
 * the servers one by one; no acknowledged write is lost, the writes never stall for longer
 * than one election, and status shows 3.9.3 everywhere. Then the ways an upgrade stops half-way:
 * Ctrl-C (a working mixed ensemble, kept as it is by down and up), a refused downgrade, and a
 * release whose servers will not start (the server is put back on its old release).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { up, type Ensemble } from '../../src/index.js';
import { connect, CreateMode } from '../../src/edge/zkclient.js';
import { cacheDir } from '../../src/tarball/resolve.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';
import { releasesMirror } from '../helpers/releases.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');
const FROM = '3.8.0';
const TO = '3.9.3';

interface StatusJson {
  servers: { id: number; role: string; version: string | null; zkVersion: string }[];
  health: { state: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`rolling upgrade of real builds, ZooKeeper ${FROM} → ${TO}`, () => {
  let sb: Sandbox;
  let mirror: string;
  let zk: Ensemble;
  const status = async (): Promise<StatusJson> => JSON.parse((await sb.cli(['status', '--json'])).stdout);
  const versions = (s: StatusJson) => Object.fromEntries(s.servers.map((x) => [x.id, x.zkVersion]));

  beforeAll(async () => {
    mirror = releasesMirror([FROM, TO], 'the upgrade test');
    sb = await createSandbox('upgrade');
  });
  afterAll(async () => { await sb?.cleanup(); });

  it(`a client writes throughout \`upgrade ${TO} --rolling\`: nothing acknowledged is lost, no stall beyond one election, ${TO} everywhere`, async () => {
    zk = await up({ servers: 3, ports: 'auto', zkVersion: FROM, mirror, env: sb.env, reuse: true }); // the default ensemble, which the CLI calls share
    const writer = await connect(zk.connectString);
    await writer.create('/rolling', '', CreateMode.PERSISTENT);
    const acked: number[] = [];
    // The time from one acknowledged write to the next: the client queues requests while it
    // reconnects, so a quorum lost shows as a long wait (or errors) between two acknowledgements.
    let longest = 0;
    let errors = 0;
    let stop = false;
    let lastOk = Date.now();
    const writing = (async () => {
      for (let n = 0; !stop;) {
        try {
          await writer.create(`/rolling/w-${n}`, String(n), CreateMode.PERSISTENT);
          acked.push(n++);
        } catch (err) {
          // A create whose answer was lost may have been applied: then it is there, and counts.
          if (/NODE_EXISTS/.test(String(err))) acked.push(n++);
          else { errors++; await sleep(50); continue; }
        }
        longest = Math.max(longest, Date.now() - lastOk);
        lastOk = Date.now();
        await sleep(20);
      }
    })();
    try {
      await sleep(500);
      const t0 = Date.now();
      const r = await execa(process.execPath, [CLI, 'upgrade', TO, '--rolling', '--mirror', mirror], { env: sb.env, reject: false, timeout: 180_000 });
      console.log(`upgrade ${FROM} → ${TO} of 3 servers: ${Date.now() - t0} ms\n${r.stdout}`);
      expect(r.exitCode, r.stderr).toBe(0);
      // Followers first, the leader last.
      const order = [...r.stdout.matchAll(/^… server (\d+) \((\w+)\): stopping/gm)].map((m) => m[2]);
      expect(order).toEqual(['follower', 'follower', 'leader']);
      await sleep(500);
    } finally {
      stop = true;
      await writing;
      writer.close();
    }
    console.log(`${acked.length} writes acknowledged, ${errors} failed and retried; the longest wait between two acknowledgements: ${longest} ms`);
    expect(acked.length).toBeGreaterThan(50);
    // One election with the default tick (2 s) and the client's reconnect: well under the
    // 10 s session timeout, so the session lives on; more would mean a quorum lost for longer.
    expect(longest).toBeLessThan(6_000);

    const s = await status();
    expect(s.health.state).toBe('healthy');
    for (const x of s.servers) {
      expect(x.zkVersion).toBe(TO);
      expect(x.version).toMatch(/^3\.9\.3\b/);
    }
    expect((await sb.cli(['status'])).stdout).toMatch(new RegExp(`ensemble default \\(ZooKeeper ${TO.replace(/\./g, '\\.')}\\)`));
    const spec = JSON.parse((await readFile(path.join(zk.dir, 'ensemble.yaml'), 'utf8')).replace(/^#.*$/gm, ''));
    expect(spec.zkVersion).toBe(TO);
    expect(spec.members.some((m: { zkVersion?: string }) => m.zkVersion)).toBe(false);

    // Every acknowledged write, through every server.
    for (const server of zk.servers) {
      const reader = await connect(`127.0.0.1:${server.clientPort}`);
      try {
        await reader.catchUp('/rolling');
        const children = await new Promise<string[]>((res, rej) => reader.client.getChildren('/rolling', (err, c) => (err ? rej(err) : res(c))));
        const have = new Set(children);
        expect(acked.filter((n) => !have.has(`w-${n}`))).toEqual([]);
      } finally {
        reader.close();
      }
    }
  });

  it('Ctrl-C half-way leaves a working mixed ensemble and says who runs what; down and up keep it mixed; upgrade goes on from there', async () => {
    const child = execa(process.execPath, [CLI, 'upgrade', FROM, '--force', '--mirror', mirror], { env: sb.env, reject: false, timeout: 180_000 });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      // Once the first server runs the old release again, interrupt.
      if (/^✓ server \d+: /m.test(out) && !child.killed) child.kill('SIGINT');
    });
    const r = await child;
    expect(r.exitCode, `${out}\n${r.stderr}`).toBe(130);
    expect(r.stderr).toMatch(/interrupted after server \d+: server(s [\d, ]+ run| \d runs) 3\.[89]\.\d+ and server(s [\d, ]+ run| \d runs) 3\.[89]\.\d+/);
    let s = await status();
    expect(s.health.state).toBe('healthy');
    const mixed = versions(s);
    expect(new Set(Object.values(mixed))).toEqual(new Set([FROM, TO]));
    for (const x of s.servers) expect(x.version!.startsWith(x.zkVersion)).toBe(true);
    expect((await sb.cli(['status'])).stdout).toMatch(/mixed, see VERSION/);

    expect((await sb.cli(['down'])).exitCode).toBe(0);
    const again = await sb.cli(['up']);
    expect(again.exitCode, again.stderr).toBe(0);
    s = await status();
    expect(s.health.state).toBe('healthy');
    expect(versions(s)).toEqual(mixed);
    for (const x of s.servers) expect(x.version!.startsWith(x.zkVersion)).toBe(true);

    // A downgrade is refused without --force; moving on to the new release needs nothing.
    const refused = await sb.cli(['upgrade', FROM, '--mirror', mirror]);
    expect(refused.exitCode).toBe(64);
    expect(refused.stderr).toMatch(/downgrade/);
    // The library does the same: zk.upgrade() goes on from where the CLI stopped.
    const on = await zk.upgrade(TO, { mirror });
    expect(on.moved.length).toBeGreaterThan(0);
    expect(on.moved.length + on.already.length).toBe(3);
    expect(on.versions).toEqual({ 1: TO, 2: TO, 3: TO });
    expect(zk.zkVersion).toBe(TO);
    expect(Object.values(versions(await status()))).toEqual([TO, TO, TO]);
  });

  it('a release whose server will not start: that server is put back on its old release, the ensemble keeps serving, exit 2 naming it', async () => {
    // A copy of 3.8.0 whose ZooKeeper jar is damaged: its JVM cannot load QuorumPeerMain.
    const broken = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-broken-'));
    try {
      await execa('tar', ['xzf', path.join(cacheDir(sb.env), `apache-zookeeper-${FROM}-bin.tar.gz`), '-C', broken, '--strip-components=1']);
      expect(await readdir(path.join(broken, 'lib'))).toContain(`zookeeper-${FROM}.jar`);
      await writeFile(path.join(broken, 'lib', `zookeeper-${FROM}.jar`), 'not a jar');
      const r = await sb.cli(['upgrade', FROM, '--force', '--dist', broken, '--timeout', '20s'], { timeout: 180_000 });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`Server \\d+ did not serve on ZooKeeper ${FROM.replace(/\./g, '\\.')}.*put back on ${TO.replace(/\./g, '\\.')} and serves again`, 's'));
      const s = await status();
      expect(s.health.state).toBe('healthy');
      expect(Object.values(versions(s))).toEqual([TO, TO, TO]);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('down leaves nothing running', async () => {
    expect((await sb.cli(['down'])).exitCode).toBe(0);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
  });
});
