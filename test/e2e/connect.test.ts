/**
 * `status`, `wait` and `check` pointed at an ensemble through its connect string, as they would
 * be at one zkpseudo did not start: real servers (three voters and an observer, on loopback
 * ports only), asked only through their client ports. The same roles, health and exit codes as
 * the local commands; a failover seen from outside; the connect string an export prints works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up, type Ensemble } from '../../src/index.js';
import { connect, CreateMode } from '../../src/edge/zkclient.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

describe('client commands with --connect, against a real ensemble', () => {
  let sb: Sandbox;
  let zk: Ensemble;
  let cs: string;

  beforeAll(async () => {
    sb = await createSandbox('connect');
    zk = await up({ name: 'conn', servers: 3, observers: 1, ports: 'auto', zkVersion: sb.zkVersion, mirror: sb.mirrorUrl, env: sb.env });
    cs = zk.connectString;
    // Never anything but loopback: these commands would dial whatever they are given.
    expect(cs.split(',').every((a) => a.startsWith('127.0.0.1:'))).toBe(true);
  });
  afterAll(async () => { await sb?.cleanup(); });

  it('status --connect shows what the four-letter words tell — the same roles and health as the local status, no pid', async () => {
    const local = JSON.parse((await sb.cli(['status', '--name', 'conn', '--json'])).stdout);
    const r = await sb.cli(['status', '--connect', cs, '--json']);
    expect(r.exitCode).toBe(0);
    const remote = JSON.parse(r.stdout);
    expect(remote.connectString).toBe(cs);
    expect(remote.servers.map((s: { id: number; role: string; peerType: string }) => [s.id, s.role, s.peerType]))
      .toEqual(local.servers.map((s: { id: number; role: string; peerType: string }) => [s.id, s.role, s.peerType]));
    expect(remote.servers.map((s: { address: string }) => s.address)).toEqual(cs.split(','));
    expect(remote.servers[0].version).toMatch(/^3\.8\.0/);
    for (const s of remote.servers) {
      expect(s).not.toHaveProperty('pid');
      expect(s.zxid).toMatch(/^0x/);
    }
    expect(remote.health).toEqual(local.health);
    const human = await sb.cli(['status', '--connect', cs]);
    expect(human.stdout).toMatch(/^the ensemble at 127\.0\.0\.1:/);
    expect(human.stdout).toMatch(/ID\s+ADDRESS\s+ROLE\s+ZXID\s+VERSION/);
    expect(human.stdout).not.toMatch(/PID/);
    expect(human.stdout).toMatch(/healthy: 3\/3 voters serving, leader \d, tolerates 1 failure/);
  });

  it('--connect without a value reads $ZK_CONNECT (also in wait, where commander hands it the condition)', async () => {
    const env = { ZK_CONNECT: cs };
    expect((await sb.cli(['status', '--connect', '-q'], { env })).exitCode).toBe(0);
    const w = await sb.cli(['wait', '--connect', 'healthy', '--timeout', '20s'], { env });
    expect(w.exitCode).toBe(0);
    expect(w.stdout).toMatch(/^healthy: yes\nthe ensemble at /);
    // Without --connect, ZK_CONNECT is not read: the local ensemble named is.
    expect((await sb.cli(['status', '--name', 'conn', '--json'], { env })).stdout).toMatch(/"pid": \d+/);
  });

  it('check --connect proves it serves through every server, and cleans up', async () => {
    const r = await sb.cli(['check', '--connect', cs, '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ connectString: cs, ok: true });
    expect(doc.steps.filter((s: { name: string }) => s.name.startsWith('read it through server'))).toHaveLength(3);
  });

  it('check --connect with a chroot works below it and leaves nothing there', async () => {
    const s = await connect(cs);
    try {
      await s.create('/conn-app', '', CreateMode.PERSISTENT);
      const r = await sb.cli(['check', '--connect', `${cs}/conn-app`]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/✓ create persistent znode .*: \/zkpseudo-check-/);
      const children = await new Promise<string[]>((resolve, reject) => s.client.getChildren('/conn-app', (err, c) => (err ? reject(err) : resolve(c))));
      expect(children).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('a failover, seen from outside: a leader again, another one, degraded (exit 1) with the old leader down', async () => {
    const before = JSON.parse((await sb.cli(['status', '--connect', cs, '--json'])).stdout);
    const leader = before.health.leader as number;
    await zk.kill(leader);
    // Not `wait new-leader`: the election can end before a new process's first poll, and that
    // poll's leader would then be the one it waits to see replaced (as for a local ensemble).
    const w = await sb.cli(['wait', 'leader', '--connect', cs, '--timeout', '40s']);
    expect(w.exitCode, w.stderr).toBe(0);
    const wd = await sb.cli(['wait', 'down', String(leader), '--connect', cs, '--timeout', '10s']);
    expect(wd.exitCode).toBe(0);
    const after = await sb.cli(['status', '--connect', cs, '--json']);
    expect(after.exitCode).toBe(1);
    const doc = JSON.parse(after.stdout);
    expect(doc.health.state).toBe('degraded');
    expect(doc.health.leader).not.toBe(leader);
    expect(doc.servers.find((s: { id: number }) => s.id === leader)).toMatchObject({ role: 'down', note: 'nothing listens there' });
    // The id of the server that cannot answer came from the others' membership (its client address).
    await zk.start('all');
    expect((await sb.cli(['wait', 'healthy', '--connect', cs, '--timeout', '40s'])).exitCode).toBe(0);
  });

  it('the connect string an export of this ensemble prints works against it', async () => {
    const r = await sb.cli(['export', 'compose', '--name', 'conn']);
    expect(r.exitCode).toBe(0);
    const printed = /^# Then: {3}zkpseudo status --connect (\S+)$/m.exec(r.stdout)?.[1];
    expect(printed).toBe(cs);
    expect((await sb.cli(['status', '--connect', printed!, '-q'])).exitCode).toBe(0);
  });

  it('a timeout names the ensemble by its connect string, and no quorum is exit 2', async () => {
    const w = await sb.cli(['wait', 'down', '1', '--connect', cs, '--timeout', '1s']);
    expect(w.exitCode).toBe(2);
    expect(w.stderr).toMatch(/Waited 1 s for server 1 down, but the ensemble is healthy/);
    expect(w.stderr).toContain(`zkpseudo status --connect ${cs}`);
    await zk.down();
    const r = await sb.cli(['status', '--connect', cs, '--json']);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).servers.every((s: { role: string }) => s.role === 'down')).toBe(true);
    expect((await sb.cli(['check', '--connect', cs])).exitCode).toBe(2);
  });
});
