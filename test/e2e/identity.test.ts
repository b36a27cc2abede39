/**
 * Every server accounted for (issue 10, SPEC §11): the process table, not a pid file or
 * ensemble.yaml, says which servers are an ensemble's. Each case runs real servers and ends
 * with none of them left: Ctrl-C in a real terminal, the directory removed under running
 * servers, a damaged ensemble.yaml, two ensembles on the same ports, a damaged copy, a failed
 * start, two `start all` at once, and an owner that dies.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { findFreeBlock } from '../../src/edge/ports.js';
import { isAlive } from '../../src/edge/process/process.js';
import { createSandbox, serverPidsUnder, type Sandbox, eventually } from '../helpers/sandbox.js';

const repo = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(repo, 'dist/cli/main.js');
const PTY = path.join(repo, 'test/helpers/pty-run.py');


/** Processes whose command line contains `needle` (to find the lease watcher). */
async function pidsWith(needle: string): Promise<number[]> {
  const r = await execa('pgrep', ['-f', needle], { reject: false });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

describe('every server accounted for', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('identity'); });
  afterAll(async () => { await sb?.cleanup(); });

  const dirOf = (name: string) => path.join(sb.root, 'home', name);

  for (const marker of ['start servers', 'wait for quorum']) {
    it(`Ctrl-C typed in a real terminal during "${marker}" leaves no server running; exit 130; the next up resumes`, async () => {
      const name = `pty-${marker.split(' ')[0]}`;
      // A terminal: no CI variable, so the live display draws; ^C goes to the foreground group.
      const env = { ...sb.env, CI: '', TERM: 'xterm' };
      delete env.CI;
      // extendEnv: false, or execa would merge the CI variable of the run back in.
      const r = await execa('python3', [PTY, marker, '--', process.execPath, CLI, 'up', '3', '--ports', 'auto', '--name', name], { env, extendEnv: false, reject: false, timeout: 120_000 });
      expect(r.stdout, r.stdout).toContain('PTY-SENT yes');
      expect(r.stdout, r.stdout).toMatch(/PTY-EXIT 130/);
      // Nothing of this ensemble may run, now or a moment later (a script finishing late).
      await new Promise((res) => setTimeout(res, 1500));
      expect(await serverPidsUnder(dirOf(name))).toEqual([]);
      const again = await sb.cli(['up', '--name', name, '--json']);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ created: false, health: { state: 'healthy' } });
      expect(await sb.cli(['down', '--purge', '--name', name])).toMatchObject({ exitCode: 0 });
    });
  }

  it('rm -rf of a running ensemble: status names the orphans (exit 3), ls says orphaned, up refuses, gc stops them', async () => {
    const up = await sb.cli(['up', '3', '--ports', 'auto', '--name', 'gone', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const pids = await serverPidsUnder(dirOf('gone'));
    expect(pids).toHaveLength(3);
    await rm(dirOf('gone'), { recursive: true, force: true });

    const status = await sb.cli(['status', '--name', 'gone']);
    expect(status.exitCode).toBe(3);
    expect(status.stderr).toMatch(/3 of its servers still run/);
    const ls = JSON.parse((await sb.cli(['ls', '--json'])).stdout);
    expect(ls.ensembles).toContainEqual(expect.objectContaining({ name: 'gone', state: 'orphaned', running: 3 }));
    const again = await sb.cli(['up', '3', '--ports', 'auto', '--name', 'gone']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/still run under/);
    expect(await serverPidsUnder(dirOf('gone'))).toHaveLength(3);

    const dry = JSON.parse((await sb.cli(['gc', '--dry-run', '--json'])).stdout);
    expect(dry.servers.filter((s: { dir: string }) => s.dir === dirOf('gone'))).toHaveLength(3);
    expect(await serverPidsUnder(dirOf('gone'))).toHaveLength(3);
    const gc = await sb.cli(['gc', '--json']);
    expect(gc.exitCode).toBe(0);
    const reaped = JSON.parse(gc.stdout).servers.filter((s: { dir: string }) => s.dir === dirOf('gone'));
    expect(reaped.map((s: { pid: number }) => s.pid).sort()).toEqual(pids.sort());
    expect(reaped[0].reason).toMatch(/directory is gone/);
    for (const pid of pids) expect(await isAlive(pid)).toBe(false);
    // gc made nothing up: the removed directory stays removed.
    expect(existsSync(dirOf('gone'))).toBe(false);
  });

  it('orphans holding the ports a new ensemble wants: up fails naming the port and pointing at gc', async () => {
    const base = String(await findFreeBlock(9));
    expect((await sb.cli(['up', '3', '--name', 'old', '--base-port', base])).exitCode).toBe(0);
    await rm(dirOf('old'), { recursive: true, force: true });
    const r = await sb.cli(['up', '3', '--name', 'new', '--base-port', base]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`Port.*${base}.*held by pid \\d+ \\(ZooKeeper .*old/zookeeper-1/conf/zoo\\.cfg\\)`));
    expect(r.stderr).toMatch(/zkpseudo gc/);
    expect(await serverPidsUnder(dirOf('new'))).toEqual([]);
    expect((await sb.cli(['gc'])).exitCode).toBe(0);
    expect(await serverPidsUnder(dirOf('old'))).toEqual([]);
    expect((await sb.cli(['up', '3', '--name', 'new', '--base-port', base])).exitCode).toBe(0);
    await sb.cli(['down', '--purge', '--name', 'new']);
  });

  it('a truncated ensemble.yaml: status explains, ls lists it as damaged beside the others, down stops it, down --purge deletes it', async () => {
    expect((await sb.cli(['up', '1', '--ports', 'auto', '--name', 'fine'])).exitCode).toBe(0);
    expect((await sb.cli(['up', '3', '--ports', 'auto', '--name', 'broken'])).exitCode).toBe(0);
    await writeFile(path.join(dirOf('broken'), 'ensemble.yaml'), '{ "name": "broken", "zkVersi');

    const status = await sb.cli(['status', '--name', 'broken']);
    expect(status.exitCode).toBe(2);
    expect(status.stderr).toMatch(/ensemble\.yaml is damaged/);
    expect(status.stderr).toMatch(/zkpseudo down --name broken/);
    const ls = await sb.cli(['ls', '--json']);
    expect(ls.exitCode).toBe(0);
    const rows = JSON.parse(ls.stdout).ensembles;
    expect(rows).toContainEqual(expect.objectContaining({ name: 'broken', state: 'damaged', running: 3 }));
    expect(rows).toContainEqual(expect.objectContaining({ name: 'fine', state: 'healthy' }));

    const down = await sb.cli(['down', '--name', 'broken']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await serverPidsUnder(dirOf('broken'))).toEqual([]);
    expect(existsSync(dirOf('broken'))).toBe(true);
    expect((await sb.cli(['down', '--purge', '--name', 'broken'])).exitCode).toBe(0);
    expect(existsSync(dirOf('broken'))).toBe(false);
    expect((await sb.cli(['down', '--purge', '--name', 'fine'])).exitCode).toBe(0);
  });

  it('down --purge refuses to delete a directory holding files zkpseudo did not make', async () => {
    expect((await sb.cli(['up', '1', '--ports', 'auto', '--name', 'mine'])).exitCode).toBe(0);
    await writeFile(path.join(dirOf('mine'), 'thesis.tex'), 'years of work');
    const r = await sb.cli(['down', '--purge', '--name', 'mine']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/did not put there/);
    expect(existsSync(path.join(dirOf('mine'), 'thesis.tex'))).toBe(true);
    expect(await serverPidsUnder(dirOf('mine'))).toEqual([]);
    await rm(path.join(dirOf('mine'), 'thesis.tex'));
    expect((await sb.cli(['down', '--purge', '--name', 'mine'])).exitCode).toBe(0);
  });

  it('ports shared between ensembles: a stopped ensemble does not claim the servers of another on its ports', async () => {
    const base = String(await findFreeBlock(9));
    expect((await sb.cli(['up', '3', '--name', 'a', '--base-port', base])).exitCode).toBe(0);
    expect((await sb.cli(['down', '--name', 'a'])).exitCode).toBe(0);
    expect((await sb.cli(['up', '3', '--name', 'b', '--base-port', base])).exitCode).toBe(0);
    const a = await sb.cli(['status', '--name', 'a', '--json']);
    expect(a.exitCode).toBe(2);
    const parsed = JSON.parse(a.stdout);
    for (const s of parsed.servers) {
      expect(s.role).toBe('down');
      expect(s.pid).toBeNull();
      expect(s.note).toMatch(/answers for another process/);
    }
    expect((await sb.cli(['status', '--name', 'b'])).exitCode).toBe(0);
    await sb.cli(['down', '--purge', '--name', 'a']);
    await sb.cli(['down', '--purge', '--name', 'b']);
  });

  it('two ups of different ensembles on the same ports at the same moment: one wins, the other fails naming the port and leaves nothing', async () => {
    const base = String(await findFreeBlock(9));
    const [x, y] = await Promise.all([
      sb.cli(['up', '3', '--name', 'race-x', '--base-port', base]),
      sb.cli(['up', '3', '--name', 'race-y', '--base-port', base]),
    ]);
    const codes = [x.exitCode, y.exitCode].sort();
    expect(codes, `${x.stderr}\n${y.stderr}`).toEqual([0, 2]);
    const loser = x.exitCode === 2 ? x : y;
    expect(loser.stderr).toMatch(new RegExp(`Port.*${base}`));
    const loserName = loser === x ? 'race-x' : 'race-y';
    const winnerName = loser === x ? 'race-y' : 'race-x';
    expect(await serverPidsUnder(dirOf(loserName))).toEqual([]);
    expect(await serverPidsUnder(dirOf(winnerName))).toHaveLength(3);
    expect((await sb.cli(['status', '--name', winnerName])).exitCode).toBe(0);
    await sb.cli(['down', '--purge', '--name', winnerName]);
    await sb.cli(['down', '--purge', '--name', loserName]);
  });

  it('a copy whose files a tmp cleaner deleted is unpacked again with its data kept', async () => {
    expect((await sb.cli(['up', '3', '--ports', 'auto', '--name', 'cleaned'])).exitCode).toBe(0);
    expect((await sb.cli(['down', '--name', 'cleaned'])).exitCode).toBe(0);
    const copy = path.join(dirOf('cleaned'), 'zookeeper-2');
    await rm(path.join(copy, 'bin', 'zkServer.sh'));
    await writeFile(path.join(copy, 'data', 'keep-me'), 'data');
    const start = await sb.cli(['start', '2', '--name', 'cleaned']);
    expect(start.exitCode).toBe(2);
    expect(start.stderr).toMatch(/bin\/zkServer\.sh is missing/);
    expect(start.stderr).toMatch(/zkpseudo up --name cleaned/);
    const again = await sb.cli(['up', '--name', 'cleaned']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/server 2: its copy of ZooKeeper was damaged \(bin\/zkServer\.sh is missing\); unpacked it again, data kept/);
    expect(existsSync(path.join(copy, 'data', 'keep-me'))).toBe(true);
    expect(existsSync(path.join(copy, 'bin', 'zkServer.sh'))).toBe(true);
    await sb.cli(['down', '--purge', '--name', 'cleaned']);
  });

  it('a server that fails to start ends up promptly, names why, and stops every server this up started', async () => {
    expect((await sb.cli(['up', '3', '--ports', 'auto', '--name', 'failing'])).exitCode).toBe(0);
    expect((await sb.cli(['down', '--name', 'failing'])).exitCode).toBe(0);
    // zkEnv.sh sources conf/java.env: this JVM refuses to start, the other two are fine.
    await writeFile(path.join(dirOf('failing'), 'zookeeper-2', 'conf', 'java.env'), 'SERVER_JVMFLAGS="$SERVER_JVMFLAGS -XX:+NoSuchJvmOption"\n');
    const t0 = Date.now();
    const r = await sb.cli(['up', '--name', 'failing', '--timeout', '60s']);
    const elapsed = Date.now() - t0;
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Server 2 (did not start|exited right after starting)/);
    expect(elapsed).toBeLessThan(20_000);
    expect(await serverPidsUnder(dirOf('failing'))).toEqual([]);
    await rm(path.join(dirOf('failing'), 'zookeeper-2', 'conf', 'java.env'));
    expect((await sb.cli(['up', '--name', 'failing'])).exitCode).toBe(0);
    await sb.cli(['down', '--purge', '--name', 'failing']);
  });

  it('two `start all` at once both succeed, and each server runs once', async () => {
    expect((await sb.cli(['up', '3', '--ports', 'auto', '--name', 'twice'])).exitCode).toBe(0);
    expect((await sb.cli(['stop', 'all', '--name', 'twice'])).exitCode).toBe(0);
    const [p, q] = await Promise.all([
      sb.cli(['start', 'all', '--name', 'twice', '--json']),
      sb.cli(['start', 'all', '--name', 'twice', '--json']),
    ]);
    expect([p.exitCode, q.exitCode], `${p.stderr}\n${q.stderr}`).toEqual([0, 0]);
    const outcomes = [...Object.values(JSON.parse(p.stdout).servers), ...Object.values(JSON.parse(q.stdout).servers)];
    expect(outcomes.filter((o) => o === 'started')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'already-running')).toHaveLength(3);
    expect(await serverPidsUnder(dirOf('twice'))).toHaveLength(3);
    await sb.cli(['down', '--purge', '--name', 'twice']);
  });

  it('up --owner PID: when the owner is SIGKILLed, the servers stop within seconds, data kept, and the watcher ends', async () => {
    const owner = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      const r = await sb.cli(['up', '3', '--ports', 'auto', '--name', 'leased', '--owner', String(owner.pid)]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(await serverPidsUnder(dirOf('leased'))).toHaveLength(3);
      expect(await pidsWith(`zkpseudo-lease-watcher ${path.join(sb.root, 'home')} leased`)).toHaveLength(1);
      owner.kill('SIGKILL');
      expect(await eventually(async () => (await serverPidsUnder(dirOf('leased'))).length === 0, 15_000)).toBe(true);
      expect(await eventually(async () => (await pidsWith(`zkpseudo-lease-watcher ${path.join(sb.root, 'home')} leased`)).length === 0, 5_000)).toBe(true);
      expect(existsSync(path.join(dirOf('leased'), 'ensemble.yaml'))).toBe(true);
      expect((await sb.cli(['up', '--name', 'leased'])).exitCode).toBe(0);
    } finally {
      owner.kill('SIGKILL');
      await sb.cli(['down', '--purge', '--name', 'leased']);
    }
  });

  it('up({ owner: process.pid }) does not hold the caller open; when it exits, its servers follow; down ends a lease', async () => {
    const script = path.join(sb.root, 'owner.mjs');
    await writeFile(script, `import { up } from ${JSON.stringify(path.join(repo, 'dist/index.js'))};\nconst zk = await up({ name: 'lib-leased', servers: 3, ports: 'auto', owner: process.pid });\nconsole.log(zk.connectString);\n`);
    // The caller returns on its own: nothing of the lease keeps its event loop alive.
    const r = await execa(process.execPath, [script], { env: sb.env, reject: false, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await eventually(async () => (await serverPidsUnder(dirOf('lib-leased'))).length === 0, 15_000)).toBe(true);

    const owner = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      expect((await sb.cli(['up', '--name', 'lib-leased', '--owner', String(owner.pid)])).exitCode).toBe(0);
      const watcher = `zkpseudo-lease-watcher ${path.join(sb.root, 'home')} lib-leased`;
      expect(await pidsWith(watcher)).toHaveLength(1);
      expect((await sb.cli(['down', '--name', 'lib-leased'])).exitCode).toBe(0);
      expect(await eventually(async () => (await pidsWith(watcher)).length === 0, 5_000)).toBe(true);
      expect(existsSync(path.join(dirOf('lib-leased'), 'owner.json'))).toBe(false);
    } finally {
      owner.kill('SIGKILL');
      await sb.cli(['down', '--purge', '--name', 'lib-leased']);
    }
  });

  it('gc stops the servers of an ensemble whose owner died while no watcher ran', async () => {
    expect((await sb.cli(['up', '1', '--ports', 'auto', '--name', 'ownerless'])).exitCode).toBe(0);
    const dead = spawn('true');
    await new Promise((res) => dead.on('exit', res));
    await writeFile(path.join(dirOf('ownerless'), 'owner.json'), JSON.stringify({ ownerPid: dead.pid, ownerStart: null, token: '0123456789abcdef', watcherPid: null }));
    const gc = JSON.parse((await sb.cli(['gc', '--json'])).stdout);
    expect(gc.servers).toContainEqual(expect.objectContaining({ dir: dirOf('ownerless'), reason: expect.stringMatching(/owner.*has exited/) }));
    expect(await serverPidsUnder(dirOf('ownerless'))).toEqual([]);
    await sb.cli(['down', '--purge', '--name', 'ownerless']);
  });
});
