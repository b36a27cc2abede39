/**
 * zkpseudo as a test fixture (issue 20), with real servers: `up` of an ensemble already healthy
 * as asked rewrites nothing; changed settings reach the running servers by a rolling restart;
 * the library's `up()` is throwaway by default (unique name, free ports, an owner lease, purged
 * by `down()` and by `await using`), reuse keeps; a crashed run's ensemble is swept by the next.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, up, type UpEvent } from '../../src/index.js';
import { sendFourLetterWord } from '../../src/edge/fourlw.js';
import { commandLine } from '../../src/edge/process/process.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

const repo = path.resolve(import.meta.dirname, '../..');

describe('up of an existing ensemble', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox('reuse');
    expect((await sb.cli(['up', '3', '--ports', 'auto', '--name', 'r', '-q'])).exitCode).toBe(0);
  });
  afterAll(async () => { await sb?.cleanup(); });
  const dir = () => path.join(sb.root, 'home', 'r');
  const mtimes = () => ['ensemble.yaml', ...[1, 2, 3].map((id) => `zookeeper-${id}/conf/zoo.cfg`)].map((f) => statSync(path.join(dir(), f)).mtimeMs);

  it('already healthy as asked: proven and returned, nothing written, said so', async () => {
    const before = mtimes();
    const r = await sb.cli(['up', '3', '--ports', 'auto', '--name', 'r', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: false, reused: true, started: [], restarted: [], health: { state: 'healthy' } });
    const human = await sb.cli(['up', '--name', 'r']);
    expect(human.stderr).toMatch(/✓ reuse: already healthy: 3\/3 voters serving/);
    expect(human.stderr).not.toMatch(/write config|check Java/);
    expect(mtimes()).toEqual(before);
  });

  it('--config on a running ensemble is applied by a rolling restart, followers first, said in the output; the servers run it', async () => {
    const leader = JSON.parse((await sb.cli(['status', '--name', 'r', '--json'])).stdout).health.leader;
    const r = await sb.cli(['up', '--name', 'r', '--config', 'maxSessionTimeout=33000']);
    expect(r.exitCode, r.stderr).toBe(0);
    const said = /✓ apply settings: rolling restart applied maxSessionTimeout \(unset\) → 33000: servers (\d), (\d), (\d) \(leader (\d) last\); a quorum served throughout/.exec(r.stderr);
    expect(said, r.stderr).not.toBeNull();
    expect(Number(said![3])).toBe(leader);
    expect(Number(said![4])).toBe(leader);
    const json = JSON.parse((await sb.cli(['status', '--name', 'r', '--json'])).stdout);
    expect(json.health.state).toBe('healthy');
    for (const s of json.servers) expect(await sendFourLetterWord(s.clientPort, 'conf', 2000)).toMatch(/^maxSessionTimeout=33000$/m);
    expect(JSON.parse((await readFile(path.join(dir(), 'ensemble.yaml'), 'utf8')).replace(/^#.*$/gm, '')).config).toEqual({ maxSessionTimeout: '33000' });
    // Asked again: already so, nothing to do.
    expect(JSON.parse((await sb.cli(['up', '--name', 'r', '--config', 'maxSessionTimeout=33000', '--json'])).stdout)).toMatchObject({ reused: true, restarted: [] });
  });

  it('--heap on a running ensemble restarts each server with it', async () => {
    const r = await sb.cli(['up', '--name', 'r', '--heap', '160m', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.restarted.sort()).toEqual([1, 2, 3]);
    for (const s of json.servers) expect((await commandLine(s.pid))?.join(' ')).toMatch(/-Xmx160m/);
  });

  it('a server down: not reused; up starts it and writes only its files', async () => {
    expect((await sb.cli(['stop', '2', '--name', 'r'])).exitCode).toBe(0);
    const before = mtimes();
    const r = await sb.cli(['up', '--name', 'r', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reused: false, started: [2], restarted: [], health: { state: 'healthy' } });
    const after = mtimes();
    expect(after[1]).toBe(before[1]);
    expect(after[3]).toBe(before[3]);
    expect(after[2]).toBeGreaterThan(before[2]!);
  });
});

describe('the library is throwaway by default', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('throwaway'); });
  afterAll(async () => { await sb?.cleanup(); });
  const home = () => path.join(sb.root, 'home');

  it('two up() at once: unique names, free ports, an owner lease on this process; down() deletes each', async () => {
    const [a, b] = await Promise.all([up({ servers: 1, env: sb.env }), up({ servers: 1, env: sb.env })]);
    try {
      expect(a.name).toMatch(new RegExp(`^tmp-${process.pid}-[0-9a-f]{6}$`));
      expect(b.name).not.toBe(a.name);
      expect(a.servers[0]!.clientPort).not.toBe(2181);
      expect(b.servers[0]!.clientPort).not.toBe(a.servers[0]!.clientPort);
      for (const zk of [a, b]) expect(JSON.parse(await readFile(path.join(zk.dir, 'owner.json'), 'utf8')).ownerPid).toBe(process.pid);
    } finally {
      await a.down();
      await b.down();
    }
    expect(existsSync(a.dir) || existsSync(b.dir)).toBe(false);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
  });

  it('await using: the ensemble is gone at the end of the scope', async () => {
    let dir = '';
    {
      await using zk = await up({ servers: 1, env: sb.env });
      dir = zk.dir;
      expect((await zk.status()).health.state).toBe('healthy');
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('down({ keep: true }) keeps a throwaway; reuse and a name keep and resume, with no owner unless asked', async () => {
    const zk = await up({ servers: 1, env: sb.env, owner: false });
    expect(existsSync(path.join(zk.dir, 'owner.json'))).toBe(false);
    await zk.down({ keep: true });
    expect(existsSync(zk.dir)).toBe(true);
    await (await open(zk.name, { home: zk.home })).down({ purge: true });
    const kept = await up({ name: 'kept', servers: 1, env: sb.env });
    expect(existsSync(path.join(kept.dir, 'owner.json'))).toBe(false);
    await kept.down();
    expect(existsSync(kept.dir)).toBe(true);
    const events: UpEvent[] = [];
    const again = await up({ reuse: true, name: 'kept', env: sb.env, onEvent: (e) => events.push(e) });
    expect(again.dir).toBe(kept.dir);
    expect((await again.status()).health.state).toBe('healthy');
    // Healthy now: the next up() with reuse proves it and does nothing else.
    const proven: UpEvent[] = [];
    await up({ reuse: true, name: 'kept', env: sb.env, onEvent: (e) => proven.push(e) });
    expect(proven.filter((e) => e.kind === 'step').map((e) => (e as { step: string }).step)).toEqual(['reuse']);
    await again.down({ purge: true });
  });

  it('durations: a number is milliseconds, a string needs a unit', async () => {
    await expect(up({ servers: 1, env: sb.env, timeout: '90' as never })).rejects.toThrow(/timeout: "90" has no unit/);
    // 1 is one millisecond (it was one second): no JVM answers that soon.
    const err = await up({ servers: 1, env: sb.env, timeout: 1 }).then(() => undefined, (e: { message: string; status: { name: string } }) => e);
    expect(err?.message).toMatch(/did not become healthy within 0 s/);
    await (await open(err!.status.name, { home: home() })).down({ purge: true });
  });

  it('a crashed run\'s ensemble: its servers stop with it, the next run never resumes it and deletes it', async () => {
    const script = `const { up } = await import(${JSON.stringify(path.join(repo, 'dist/index.js'))}); const zk = await up({ servers: 1 }); console.log(zk.name); process.kill(process.pid, 'SIGKILL');`;
    const child = await execa(process.execPath, ['--input-type=module', '-e', script], { env: sb.env, reject: false });
    const crashed = child.stdout.trim();
    expect(crashed, child.stderr).toMatch(/^tmp-\d+-[0-9a-f]{6}$/);
    for (let i = 0; i < 50 && (await serverPidsUnder(path.join(home(), crashed))).length; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await serverPidsUnder(path.join(home(), crashed))).toEqual([]);
    const notices: string[] = [];
    const next = await up({ servers: 1, env: sb.env, onEvent: (e) => { if (e.kind === 'notice') notices.push(e.text); } });
    try {
      expect(next.name).not.toBe(crashed);
      expect(notices).toContain(`removed throwaway ensemble "${crashed}", left by pid ${crashed.split('-')[1]}, which has exited`);
      expect(await readdir(home())).toEqual([next.name]);
    } finally {
      await next.down();
    }
  });
});
