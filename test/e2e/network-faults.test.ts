/**
 * The faults ZooKeeper users reproduce (issue 13), against real servers with real clients:
 * isolate the leader, partition five servers 2|3, pause a follower past the session timeout,
 * cut a server's clients off until their session expires, slow a link — all without root,
 * through the per-ensemble fault proxy — and nothing left running after `down`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { up, type Ensemble } from '../../src/index.js';
import { connect, CreateMode, type Session } from '../../src/edge/zkclient.js';
import { processesWith } from '../../src/edge/process/proctable.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

const repo = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(repo, 'dist/cli/main.js');
const SERVING = new Set(['leader', 'follower', 'observer', 'standalone']);

/** The proxy address clients use for server `id` (the connect string lists them in id order). */
const clientAddress = (zk: Ensemble, id: number) => zk.connectString.split(',')[id - 1]!;

async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function proxies(root: string): Promise<number[]> {
  return (await processesWith('--zkpseudo-fault-proxy')).filter((p) => p.argv.some((a) => a.startsWith(root))).map((p) => p.pid);
}

describe('network faults, root-free', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('netfaults'); });
  afterAll(async () => { await sb?.cleanup(); });

  it('isolate the leader: the majority elects a new one and keeps taking writes; the isolated one stops serving; after heal every acknowledged write is everywhere', async () => {
    const zk = await up({ name: 'iso', servers: 3, ports: 'auto', faults: true, tick: '200ms', env: sb.env });
    const sessions: Session[] = [];
    try {
      const before = await zk.status();
      const leader = before.health.leader!;
      const follower = before.servers.find((s) => s.role === 'follower')!.id;
      const writer = await connect(clientAddress(zk, follower));
      sessions.push(writer);
      const acked: string[] = [];
      const write = async (tag: string) => { acked.push(await retry(`write ${tag}`, () => writer.create(`/iso-${tag}`, tag, CreateMode.PERSISTENT))); };
      await write('before');

      const iso = await execa(process.execPath, [CLI, 'isolate', 'leader', '--name', 'iso'], { env: sb.env, reject: false });
      expect(iso.exitCode, iso.stderr).toBe(0);
      expect(iso.stdout).toMatch(new RegExp(`server ${leader} is cut off`));
      const after = await zk.waitFor('new-leader', { timeout: '30s' });
      expect(after.health.leader).not.toBe(leader);
      expect(after.health.state).toBe('degraded');
      const isolated = after.servers.find((s) => s.id === leader)!;
      expect(SERVING.has(isolated.role)).toBe(false);
      const json = JSON.parse((await execa(process.execPath, [CLI, 'status', '--json', '--name', 'iso'], { env: sb.env, reject: false })).stdout);
      expect(json.servers.find((s: { id: number }) => s.id === leader).faults).toMatchObject({ isolated: true });
      for (let i = 0; i < 5; i++) await write(`during-${i}`);

      await zk.heal();
      await zk.waitFor('healthy', { timeout: '30s' });
      for (const s of (await zk.status()).servers) {
        const reader = await retry(`connect to ${s.id}`, () => connect(clientAddress(zk, s.id)));
        sessions.push(reader);
        await retry('catch up', () => reader.create(`/iso-sync-${s.id}`, '', CreateMode.PERSISTENT));
        for (const p of acked) expect((await reader.getData(p)).data, `${p} through server ${s.id}`).toBe(p.replace('/iso-', ''));
      }
    } finally {
      for (const s of sessions) s.close();
      await zk.down({ purge: true });
    }
  });

  it('partition five servers 2|3: only the three-side serves; heal makes all five healthy', async () => {
    const zk = await up({ name: 'part', servers: 5, ports: 'auto', faults: true, tick: '200ms', env: sb.env });
    try {
      await zk.partition([[1, 2], [3, 4, 5]]);
      const deadline = Date.now() + 30_000;
      let status = await zk.status();
      const split = () => status.servers.every((s) => (s.id <= 2 ? !SERVING.has(s.role) : SERVING.has(s.role))) && [3, 4, 5].includes(status.health.leader ?? 0);
      while (!split() && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        status = await zk.status();
      }
      expect(split(), status.servers.map((s) => `${s.id}:${s.role}`).join(' ')).toBe(true);
      expect(status.servers.find((s) => s.id === 1)!.faults).toMatchObject({ cutFrom: [3, 4, 5] });
      const bad = await execa(process.execPath, [CLI, 'partition', '1,2', '3', '--name', 'part'], { env: sb.env, reject: false });
      expect(bad.exitCode).toBe(64);
      expect(bad.stderr).toMatch(/servers 4, 5 are in no group/);
      await zk.heal();
      expect((await zk.waitFor('healthy', { timeout: '40s' })).health.state).toBe('healthy');
    } finally {
      await zk.down({ purge: true });
    }
  });

  it('pause a follower past the session timeout: its client reconnects elsewhere with the same session; resume brings it back', async () => {
    const zk = await up({ name: 'pause', servers: 3, ports: 'auto', tick: '200ms', env: sb.env });
    try {
      const status = await zk.status();
      const follower = status.servers.find((s) => s.role === 'follower')!.id;
      const hosts = [follower, ...status.servers.map((s) => s.id).filter((id) => id !== follower)].map((id) => clientAddress(zk, id)).join(',');
      // kazoo connects to the first host when told not to shuffle: the follower about to hang.
      const script = `
import json, subprocess, sys, time
from kazoo.client import KazooClient
zk = KazooClient(hosts='${hosts}', randomize_hosts=False, timeout=4)
zk.start(timeout=15)
first = zk._connection._socket.getpeername()[1]
sid = zk.client_id[0]
zk.create('/paused-eph', b'x', ephemeral=True)
subprocess.run([sys.argv[1], sys.argv[2], 'pause', '${follower}', '--name', 'pause'], check=True)
time.sleep(6)
second = zk._connection._socket.getpeername()[1]
alive = zk.exists('/paused-eph') is not None
print(json.dumps({'first': first, 'second': second, 'same_session': zk.client_id[0] == sid, 'ephemeral': alive}))
zk.stop()
`;
      const r = await execa('/usr/bin/python3', ['-c', script, process.execPath, CLI], { env: sb.env, reject: false, timeout: 60_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(result.first).toBe(zk.servers[follower - 1]!.clientPort);
      expect(result.second).not.toBe(result.first);
      expect(result).toMatchObject({ same_session: true, ephemeral: true });
      expect((await zk.status()).servers.find((s) => s.id === follower)!.role).toBe('paused');
      expect(await zk.resume(follower)).toEqual([follower]);
      expect((await zk.waitFor('healthy', { timeout: '30s' })).health.state).toBe('healthy');
    } finally {
      await zk.down({ purge: true });
    }
  });

  it('isolate-clients on a single-server connect string: the session expires and its ephemeral znodes go', async () => {
    const zk = await up({ name: 'clients', servers: 3, ports: 'auto', faults: true, tick: '200ms', env: sb.env });
    const sessions: Session[] = [];
    try {
      const victim = await connect(clientAddress(zk, 1));
      sessions.push(victim);
      const states: string[] = [];
      victim.client.on('state', (s: { name: string }) => states.push(s.name));
      await victim.create('/victim-eph', 'x', CreateMode.EPHEMERAL);
      await zk.isolateClients(1);
      const observer = await connect(clientAddress(zk, 2));
      sessions.push(observer);
      const gone = await retry('ephemeral to go', async () => {
        await observer.create(`/obs-${Date.now()}`, '', CreateMode.PERSISTENT);
        if (await observer.exists('/victim-eph')) throw new Error('still there');
        return true;
      }, 20_000);
      expect(gone).toBe(true);
      expect(states).toContain('DISCONNECTED');
      expect((await zk.status()).servers.find((s) => s.id === 1)!.faults).toMatchObject({ clientsCut: true });
      await zk.heal();
      const again = await retry('reconnect after heal', () => connect(clientAddress(zk, 1), 5000));
      sessions.push(again);
    } finally {
      for (const s of sessions) s.close();
      await zk.down({ purge: true });
    }
  });

  it('delay slows a server\'s client link (and a server link) until heal', async () => {
    const zk = await up({ name: 'slow', servers: 3, ports: 'auto', faults: true, tick: '200ms', env: sb.env });
    const sessions: Session[] = [];
    try {
      const s = await connect(clientAddress(zk, 1));
      sessions.push(s);
      await s.create('/slow', 'x', CreateMode.PERSISTENT);
      const timed = async () => { const t0 = Date.now(); await s.getData('/slow'); return Date.now() - t0; };
      const fast = await timed();
      const cli = await execa(process.execPath, [CLI, 'delay', '1', 'clients', '300ms', '--name', 'slow'], { env: sb.env, reject: false });
      expect(cli.exitCode, cli.stderr).toBe(0);
      expect(await timed()).toBeGreaterThanOrEqual(550); // 300 ms each way
      await zk.delay(1, 2, 100, { jitterMs: 20 });
      expect((await zk.status()).servers.find((x) => x.id === 1)!.faults!.delays).toMatchObject({ '2': { ms: 100, jitterMs: 20 }, clients: { ms: 300 } });
      await zk.heal();
      expect(await timed()).toBeLessThan(Math.max(200, fast * 5));
    } finally {
      for (const x of sessions) x.close();
      await zk.down({ purge: true });
    }
  });

  it('chaos --seed runs its reproducible schedule, logs each step, and leaves the ensemble whole', async () => {
    const zk = await up({ name: 'chaos', servers: 3, ports: 'auto', faults: true, tick: '200ms', env: sb.env });
    try {
      const r = await execa(process.execPath, [CLI, 'chaos', '--seed', '7', '--duration', '3s', '--interval', '1s', '--json', '--name', 'chaos'], { env: sb.env, reject: false, timeout: 60_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(events[0]).toMatchObject({ event: 'start', seed: 7, steps: 6 });
      expect(events.at(-1)).toMatchObject({ event: 'end', interrupted: false });
      const { chaosPlan } = await import('../../src/ensemble/faults/chaos-plan.js');
      expect(events.filter((e) => e.event === 'step').map((e) => e.action)).toEqual(chaosPlan(7, 3000, 1000, [1, 2, 3], true).map((e) => e.action));
      expect((await zk.waitFor('healthy', { timeout: '30s' })).health.state).toBe('healthy');
      const state = (await zk.status()).servers.map((s) => s.faults);
      for (const f of state) expect(f).toMatchObject({ cutFrom: [], clientsCut: false });
    } finally {
      await zk.down({ purge: true });
    }
  });

  it('faults need an ensemble made with them; after down nothing of any ensemble runs: no server, no proxy', async () => {
    const plain = await up({ name: 'plain', servers: 1, ports: 'auto', env: sb.env });
    const err = await plain.isolate(1).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/was not created with --faults/);
    await plain.down({ purge: true });
    expect(await serverPidsUnder(sb.root)).toEqual([]);
    expect(await proxies(sb.root)).toEqual([]);
  });
});
