/**
 * Fault injection on real servers: kill the leader (a new one is elected, status says degraded),
 * kill another (no quorum), start all (healthy again); `check` passes and fails accordingly;
 * stop/start keeps data; a pid file naming an unrelated live process is never signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up, type Ensemble } from '../../src/index.js';
import { connect, CreateMode } from '../../src/edge/zkclient.js';
import { isAlive } from '../../src/edge/process/process.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('per-server operations and faults', () => {
  let sb: Sandbox;
  let zk: Ensemble;
  const strangers: ChildProcess[] = [];

  beforeAll(async () => {
    sb = await createSandbox('faults');
    zk = await up({ reuse: true, servers: 3, ports: 'auto', zkVersion: sb.zkVersion, mirror: sb.mirrorUrl, env: sb.env });
  });
  afterAll(async () => {
    for (const p of strangers) p.kill('SIGKILL');
    await sb?.cleanup();
  });

  it('check passes on a healthy ensemble', async () => {
    const r = await sb.cli(['check']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ read it through server/);
    expect(r.stdout).toMatch(/✓ watch through server \d fires/);
    expect(r.stdout).toMatch(/✓ ephemeral znodes go when their session closes/);
  });

  it('kill leader: a new leader is elected and status exits 1 (degraded)', async () => {
    const before = await zk.status();
    const oldLeader = before.health.leader!;
    const oldPid = before.servers.find((s) => s.id === oldLeader)!.pid!;
    const r = await sb.cli(['kill', 'leader']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`server ${oldLeader}: killed`);
    expect(await isAlive(oldPid)).toBe(false);
    const status = await until('a new leader', async () => {
      const s = await zk.status();
      return s.health.leader !== undefined && s.health.leader !== oldLeader ? s : undefined;
    });
    expect(status.servers.find((s) => s.id === oldLeader)!.role).toBe('down');
    const cli = await sb.cli(['status']);
    expect(cli.exitCode).toBe(1);
    expect(cli.stdout).toMatch(/degraded: 2\/3 voters serving/);
    // zkpseudo did the kill, so it removed the pid file the crash left: nothing stale to report.
    expect(cli.stdout).not.toMatch(/stale pid file/);
  });

  it('kill a second server: no quorum, status exits 2 and check fails naming the step', async () => {
    const s = await zk.status();
    const victim = s.servers.find((x) => x.role === 'follower')!.id;
    expect((await sb.cli(['kill', String(victim)])).exitCode).toBe(0);
    await until('no quorum', async () => ((await zk.status()).health.state === 'no-quorum' ? true : undefined));
    expect((await sb.cli(['status'])).exitCode).toBe(2);
    const check = await sb.cli(['check']);
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toMatch(/check failed at: find serving servers/);
  });

  it('start all brings it back to healthy; starting a running server says so and exits 0', async () => {
    const r = await sb.cli(['start', 'all']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toMatch(/stale pid file/);
    expect(r.stdout).toMatch(/already-running/);
    expect(r.stdout).toMatch(/: started/);
    await zk.waitHealthy({ timeout: '60s' });
    expect((await sb.cli(['status'])).exitCode).toBe(0);
    const again = await sb.cli(['start', '1']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('server 1: already-running');
  });

  it('an id outside the ensemble is a usage error naming the valid ids', async () => {
    const r = await sb.cli(['stop', '7']);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toMatch(/no server 7/);
    expect(r.stderr).toMatch(/Valid ids are 1, 2, 3/);
    expect((await sb.cli(['kill', 'everyone'])).exitCode).toBe(64);
  });

  it('stop and start of one server keeps its data', async () => {
    const s2 = zk.servers.find((s) => s.id === 2)!;
    const writer = await connect(zk.connectString);
    await writer.create('/kept', 'still here', CreateMode.PERSISTENT);
    await writer.create('/kept-sync', '', CreateMode.PERSISTENT);
    writer.close();
    expect((await sb.cli(['stop', '2'])).stdout).toContain('server 2: stopped');
    expect((await zk.status()).servers.find((s) => s.id === 2)!.role).toBe('down');
    expect((await sb.cli(['start', '2'])).stdout).toContain('server 2: started');
    await zk.waitHealthy({ timeout: '60s' });
    const reader = await connect(`127.0.0.1:${s2.clientPort}`);
    try {
      await reader.catchUp('/kept-sync');
      expect((await reader.getData('/kept')).data).toBe('still here');
    } finally {
      reader.close();
    }
  });

  it('restart leader hands leadership on and comes back healthy', async () => {
    const r = await sb.cli(['restart', 'leader']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/server \d: started/);
    expect((await zk.waitHealthy({ timeout: '60s' })).health.state).toBe('healthy');
  });

  it('a pid file naming an unrelated live process is never signalled by stop, kill or down', async () => {
    expect((await sb.cli(['stop', '1'])).exitCode).toBe(0);
    const stranger = spawn('sleep', ['300'], { stdio: 'ignore' });
    strangers.push(stranger);
    const pidFile = ensemblePaths(zk.home, zk.name).server(1).pidFile;
    await writeFile(pidFile, String(stranger.pid));

    const status = await sb.cli(['status', '--json']);
    const s1 = JSON.parse(status.stdout).servers.find((s: { id: number }) => s.id === 1);
    expect(s1.role).toBe('down');
    expect(s1.pid).toBeNull();
    expect(s1.note).toMatch(/another program/);

    expect((await sb.cli(['kill', '1'])).stdout).toMatch(/nothing was killed/);
    expect(await isAlive(stranger.pid!)).toBe(true);
    await writeFile(pidFile, String(stranger.pid));
    expect((await sb.cli(['stop', '1'])).exitCode).toBe(0);
    expect(await isAlive(stranger.pid!)).toBe(true);
    await writeFile(pidFile, String(stranger.pid));
    const down = await sb.cli(['down']);
    expect(down.exitCode).toBe(0);
    expect(down.stderr).toMatch(/stale pid file .*another program.*nothing was signalled/);
    expect(await isAlive(stranger.pid!)).toBe(true);
    // The stale file was removed, so a later start is not blocked by it.
    await expect(readFile(pidFile, 'utf8')).rejects.toThrow();
  });
});
