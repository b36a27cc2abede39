/**
 * Trust by construction, with real servers (issue items 5 and 11): gc stops only what lies under
 * its home; `kill` leaves no stale pid file for later commands to warn about; a dead fault
 * proxy is named by every fault command and by status, and `up` restarts it; `up` with a paused
 * server says so at once; Ctrl-C during `check` deletes its znodes before exit 130; `cli get /x`
 * runs on the whole connect string with --name taken after it. Every case ends with no server
 * of this sandbox left running (the sandbox's teardown SIGKILLs any that are).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/edge/process/process.js';
import { processesWith } from '../../src/edge/process/proctable.js';
import { connect } from '../../src/edge/zkclient.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { FAULT_PROXY_FLAG } from '../../src/ensemble/faults/proxy-control.js';
import { createSandbox, serverPidsUnder, type Sandbox, eventually } from '../helpers/sandbox.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');


describe('trust by construction: processes', () => {
  let sb: Sandbox;
  let home: string;
  /** The options every `up` here gets: the test mirror, the version it serves, a free block. */
  let upArgs: string[];
  beforeAll(async () => {
    sb = await createSandbox('trust-proc');
    home = path.join(sb.root, 'home');
    upArgs = ['--ports', 'auto', '--zk-version', sb.zkVersion, '--mirror', sb.mirrorUrl];
  });
  afterAll(async () => { await sb?.cleanup(); });

  const dirOf = (name: string, h = home) => path.join(h, name);
  const statusJson = async (name: string) => JSON.parse((await sb.cli(['status', '--json', '--name', name])).stdout);

  it('gc stops orphans under its own home only, reports the others; --home and --all reach them', async () => {
    const elsewhere = path.join(sb.root, 'other-home');
    const mine = await sb.cli(['up', '1', ...upArgs, '--name', 'orphan-here', '-q']);
    expect(mine.exitCode, mine.stderr).toBe(0);
    const theirs = await sb.cli(['up', '1', ...upArgs, '--name', 'orphan-there', '--home', elsewhere, '-q']);
    expect(theirs.exitCode, theirs.stderr).toBe(0);
    const herePids = await serverPidsUnder(dirOf('orphan-here'));
    const therePids = await serverPidsUnder(dirOf('orphan-there', elsewhere));
    expect(herePids).toHaveLength(1);
    expect(therePids).toHaveLength(1);
    await rm(dirOf('orphan-here'), { recursive: true, force: true });
    await rm(dirOf('orphan-there', elsewhere), { recursive: true, force: true });

    const gc = await sb.cli(['gc', '--json']);
    expect(gc.exitCode, gc.stderr).toBe(0);
    const result = JSON.parse(gc.stdout);
    expect(result.servers.filter((s: { dir: string }) => s.dir === dirOf('orphan-here')).map((s: { pid: number }) => s.pid)).toEqual(herePids);
    expect(result.servers.some((s: { dir: string }) => s.dir.startsWith(elsewhere))).toBe(false);
    expect(result.elsewhere).toContainEqual(expect.objectContaining({ dir: dirOf('orphan-there', elsewhere), pid: therePids[0], reason: expect.stringMatching(/directory is gone/) }));
    expect(await isAlive(herePids[0]!)).toBe(false);
    expect(await isAlive(therePids[0]!)).toBe(true);

    const text = await sb.cli(['gc']);
    expect(text.stdout).toMatch(new RegExp(`left running server 1 of ${dirOf('orphan-there', elsewhere)} \\(pid ${therePids[0]}\\).*outside ${home}`));
    expect(text.stdout).toMatch(/zkpseudo gc --all/);
    expect(await isAlive(therePids[0]!)).toBe(true);

    // --all would stop it wherever it is (only a dry run here: other orphans on this machine are not ours to stop).
    const all = JSON.parse((await sb.cli(['gc', '--all', '--dry-run', '--json'])).stdout);
    expect(all.servers).toContainEqual(expect.objectContaining({ dir: dirOf('orphan-there', elsewhere), outcome: 'would stop' }));
    expect(all.elsewhere).toEqual([]);

    const there = await sb.cli(['gc', '--home', elsewhere, '--json']);
    expect(JSON.parse(there.stdout).servers).toContainEqual(expect.objectContaining({ pid: therePids[0], outcome: 'stopped' }));
    expect(await isAlive(therePids[0]!)).toBe(false);
  });

  it('after zkpseudo kill, no later start, status or down warns about a stale pid file', async () => {
    expect((await sb.cli(['up', '3', ...upArgs, '--name', 'main', '-q'])).exitCode).toBe(0);
    // A follower: its death leaves the leader leading, so status says degraded (1) at once
    // (a killed leader would make status catch the survivors' election: no quorum, 2).
    const victim = (await statusJson('main')).servers.find((s: { role: string }) => s.role === 'follower').id as number;
    const pidFile = ensemblePaths(home, 'main').server(victim).pidFile;
    expect(existsSync(pidFile)).toBe(true);
    const kill = await sb.cli(['kill', String(victim), '--name', 'main']);
    expect(kill.exitCode, kill.stderr).toBe(0);
    expect(kill.stdout).toContain(`server ${victim}: killed`);
    expect(existsSync(pidFile)).toBe(false);
    const status = await sb.cli(['status', '--name', 'main']);
    expect(status.exitCode, status.stdout).toBe(1);
    expect(status.stdout).not.toMatch(/stale pid file/);
    const start = await sb.cli(['start', String(victim), '--name', 'main', '--wait']);
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stderr).not.toMatch(/stale pid file/);
    expect((await sb.cli(['kill', 'all', '--name', 'main'])).exitCode).toBe(0);
    const down = await sb.cli(['down', '--name', 'main']);
    expect(down.exitCode).toBe(0);
    expect(down.stderr).not.toMatch(/stale pid file/);
    expect(down.stdout).toMatch(/server 1: not-running/);
  });

  it('up with a paused server says at once which and how to resume it (exit 2); resume, and up succeeds', async () => {
    expect((await sb.cli(['up', '--name', 'main', '-q'])).exitCode).toBe(0);
    expect((await sb.cli(['pause', '2', '--name', 'main'])).exitCode).toBe(0);
    expect((await statusJson('main')).servers.find((s: { id: number }) => s.id === 2).role).toBe('paused');
    const t0 = Date.now();
    const r = await sb.cli(['up', '--name', 'main', '--timeout', '60s']);
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Server 2 of ensemble "main" is paused \(SIGSTOP/);
    expect(r.stderr).toMatch(/does not resume it on its own/);
    expect(r.stderr).toMatch(/zkpseudo resume 2 --name main/);
    // Nothing was stopped: the paused server and the others still run.
    expect(await serverPidsUnder(dirOf('main'))).toHaveLength(3);
    expect((await sb.cli(['resume', '2', '--name', 'main', '--wait'])).exitCode).toBe(0);
    const again = await sb.cli(['up', '--name', 'main', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).health.state).toBe('healthy');
  });

  it('cli get /x runs on the whole connect string, with --name taken after the arguments', async () => {
    const r = await sb.cli(['cli', 'ls', '/', '--name', 'main'], { timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[.*zookeeper.*\]/);
  });

  it('Ctrl-C during check: the step under way is abandoned, every znode is deleted, exit 130', async () => {
    const before = await statusJson('main');
    expect(before.health.state).toBe('healthy');
    // A reader (never the writer, server 1, nor the leader) is paused once check has connected to
    // it: check hangs reading through it, with its znodes (ephemerals included) made.
    const victim = [3, 2].find((id) => id !== before.health.leader)!;
    const victimPid = before.servers.find((s: { id: number }) => s.id === victim).pid as number;
    const child = spawn(process.execPath, [CLI, 'check', '--name', 'main'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let paused = false;
    let signalledAt = 0;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!paused && out.includes(`✓ connect to server ${victim}`)) { paused = true; process.kill(victimPid, 'SIGSTOP'); }
      if (!signalledAt && out.includes('✓ set data through server 1')) { signalledAt = Date.now(); child.kill('SIGINT'); }
    });
    try {
      const code = await exited;
      expect(out, err).toMatch(/✓ create ephemeral-sequential znode/);
      expect(signalledAt).toBeGreaterThan(0);
      expect(code, `${out}\n${err}`).toBe(130);
      expect(Date.now() - signalledAt).toBeLessThan(5_000);
      expect(err).toMatch(/`check` was interrupted; every znode it made was deleted/);
    } finally {
      if (paused) process.kill(victimPid, 'SIGCONT');
      child.kill('SIGKILL');
    }
    expect(await checkZnodes(before.connectString)).toEqual([]);
  });

  it('check on a one-server ensemble leaves no znodes either', async () => {
    expect((await sb.cli(['up', '1', ...upArgs, '--name', 'solo', '-q'])).exitCode).toBe(0);
    const r = await sb.cli(['check', '--name', 'solo']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ clean up: deleted \/zkpseudo-check-/);
    expect(await checkZnodes((await statusJson('solo')).connectString)).toEqual([]);
    expect((await sb.cli(['down', '--purge', '--name', 'solo'])).exitCode).toBe(0);
  });

  it('a dead fault proxy: every fault command says so, status shows it, up restarts it', async () => {
    const up = await sb.cli(['up', '3', ...upArgs, '--faults', '--tick', '200ms', '--name', 'fx', '-q']);
    expect(up.exitCode, up.stderr).toBe(0);
    const proxy = async () => (await processesWith(FAULT_PROXY_FLAG)).find((p) => p.argv.includes(home) && p.argv.includes('fx'))?.pid;
    const first = await proxy();
    expect(first).toBeDefined();
    expect((await statusJson('fx')).faultProxy).toEqual({ running: true, pid: first });
    process.kill(first!, 'SIGKILL');
    expect(await eventually(async () => !(await isAlive(first!)), 5_000)).toBe(true);

    for (const args of [['heal'], ['isolate', '1'], ['partition', '1', '2,3'], ['isolate-clients', '2'], ['delay', '1', '2', '100ms']]) {
      const r = await sb.cli([...args, '--name', 'fx']);
      expect(r.exitCode, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stdout).not.toMatch(/restored|cut off|partitioned|delayed/);
      expect(r.stderr).toMatch(/The fault proxy of ensemble "fx" is not running/);
      expect(r.stderr).toMatch(/zkpseudo up --name fx` restarts it/);
    }
    const status = await sb.cli(['status', '--name', 'fx']);
    expect(status.exitCode).not.toBe(0);
    expect(status.stdout).toMatch(/the fault proxy is not running \(`zkpseudo up` restarts it\)/);
    expect((await statusJson('fx')).faultProxy).toEqual({ running: false, pid: null });

    const again = await sb.cli(['up', '--name', 'fx', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const second = await proxy();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const heal = await sb.cli(['heal', '--name', 'fx']);
    expect(heal.exitCode, heal.stderr).toBe(0);
    expect(heal.stdout).toMatch(/every link restored/);
    const healthy = await sb.cli(['wait', 'healthy', '--name', 'fx', '--timeout', '30s', '--json']);
    expect(healthy.exitCode, healthy.stderr).toBe(0);
    expect(JSON.parse(healthy.stdout).status.faultProxy).toEqual({ running: true, pid: second });
    expect((await sb.cli(['down', '--purge', '--name', 'fx'])).exitCode).toBe(0);
    expect(await proxy()).toBeUndefined();
  });

  it('leaves nothing running', async () => {
    expect((await sb.cli(['down', '--purge', '--name', 'main'])).exitCode).toBe(0);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
  });
});

/** The /zkpseudo-check-* znodes left at the root of the ensemble reached through `connectString`. */
async function checkZnodes(connectString: string): Promise<string[]> {
  const s = await connect(connectString, 15_000);
  try {
    const children = await new Promise<string[]>((resolve, reject) => s.client.getChildren('/', (e, c) => (e ? reject(e) : resolve(c))));
    return children.filter((c) => c.startsWith('zkpseudo-check'));
  } finally {
    s.close();
  }
}
