/**
 * The README's recipes, run for real: a scratch project elsewhere `npm install`s the packed
 * zkpseudo, and its vitest globalSetup (and Jest's) starts a 3-server ensemble, a real client
 * connects, and teardown removes it. The GitHub Actions job's shell steps run as written.
 */
import { appendFile, cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

const repo = path.resolve(import.meta.dirname, '../..');
const examples = path.join(repo, 'examples');

describe('README recipes', () => {
  let sb: Sandbox;
  let tarball: string;
  let scratch: string;
  beforeAll(async () => {
    sb = await createSandbox('recipes');
    scratch = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-recipe-project-'));
    const packed = await execa('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: repo });
    tarball = path.join(scratch, packed.stdout.trim().split('\n').pop()!);
  }, 180_000);
  afterAll(async () => {
    await sb?.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  async function project(name: string, files: string, deps: string[]): Promise<string> {
    const dir = path.join(scratch, name);
    await cp(path.join(examples, files), dir, { recursive: true });
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: `recipe-${name}`, private: true, type: name === 'jest' ? 'commonjs' : 'module' }));
    await execa('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...deps], { cwd: dir });
    return dir;
  }

  it('the README shows every example file as it is', async () => {
    const readme = await readFile(path.join(repo, 'README.md'), 'utf8');
    for (const dir of await readdir(examples)) {
      for (const file of await readdir(path.join(examples, dir))) {
        const text = (await readFile(path.join(examples, dir, file), 'utf8')).trimEnd();
        expect(readme, `README should contain examples/${dir}/${file}`).toContain(text);
      }
    }
  });

  /** Nothing left: no server of this sandbox runs, and its home holds no ensemble (nor a lock). */
  async function leftNothing(): Promise<void> {
    expect(await serverPidsUnder(sb.root)).toEqual([]);
    expect(await readdir(path.join(sb.root, 'home')).catch(() => [])).toEqual([]);
  }

  /** A server's heading, then lines of its own log (the tail may begin inside a stack trace). */
  const logLinesOf = (id: number) => new RegExp(`--- server ${id} ---\\n[\\s\\S]*?\\[myid:${id}\\] - (INFO|WARN|ERROR) `);

  /** A copy of a project (its node_modules included), with a test that fails appended to `file`. */
  async function failingCopy(from: string, to: string, file: string, failing: string): Promise<string> {
    const dir = path.join(scratch, to);
    await cp(path.join(scratch, from), dir, { recursive: true, verbatimSymlinks: true });
    await appendFile(path.join(dir, file), failing);
    return dir;
  }

  it('vitest: two copies of the recipe at once each get an ensemble of their own, reset it between tests, kill its leader, pass, and leave nothing', async () => {
    const a = await project('vitest', 'vitest', ['vitest@4', 'node-zookeeper-client@1']);
    const b = path.join(scratch, 'vitest-b');
    await cp(a, b, { recursive: true, verbatimSymlinks: true });
    const runs = await Promise.all([a, b].map((dir) => execa('npx', ['vitest', 'run'], { cwd: dir, env: sb.env, reject: false, timeout: 240_000 })));
    for (const r of runs) {
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/3 passed/);
    }
    await leftNothing();
  }, 400_000);

  it('vitest: a failing test shows each server\'s last log lines, and the run still leaves nothing', async () => {
    const dir = await failingCopy('vitest', 'vitest-fails', 'zk.test.ts', "\ntest('fails on purpose', () => { expect(1).toBe(2); });\n");
    const r = await execa('npx', ['vitest', 'run'], { cwd: dir, env: sb.env, reject: false, timeout: 240_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/3 passed/);
    for (const id of [1, 2, 3]) expect(r.stdout, r.stdout).toMatch(logLinesOf(id));
    await leftNothing();
  }, 300_000);

  it('Jest: a test file require()s zkpseudo (its CommonJS build, no flags), resets the tree between tests, kills the leader and waits for a new one; teardown leaves nothing', async () => {
    const dir = await project('jest', 'jest', ['jest@29', 'node-zookeeper-client@1']);
    const r = await execa('npx', ['jest'], { cwd: dir, env: sb.env, reject: false, timeout: 240_000 });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/3 passed/);
    await leftNothing();
    const failing = await failingCopy('jest', 'jest-fails', 'zk.test.cjs', "\ntest('fails on purpose', showingLogs(async () => { expect(1).toBe(2); }));\n");
    const f = await execa('npx', ['jest'], { cwd: failing, env: sb.env, reject: false, timeout: 240_000 });
    expect(f.exitCode).toBe(1);
    for (const id of [1, 2, 3]) expect(`${f.stdout}${f.stderr}`).toMatch(logLinesOf(id));
    await leftNothing();
  }, 400_000);

  it('GitHub Actions job: its zkpseudo steps run as written and leave nothing behind', async () => {
    const dir = path.join(scratch, 'vitest');
    const job = YAML.parse(await readFile(path.join(examples, 'github-actions', 'zookeeper.yml'), 'utf8')).jobs.test;
    const step = (name: string) => job.steps.find((s: { name?: string }) => s.name === name);
    expect(step('Cache ZooKeeper tarballs').with.path).toBe('~/.cache/zkpseudo');
    expect(step('Stop ZooKeeper').if).toBe('always()');
    const githubEnv = path.join(dir, 'github-env');
    await writeFile(githubEnv, '');
    const start = await execa('bash', ['-eo', 'pipefail', '-c', step('Start ZooKeeper').run], { cwd: dir, env: { ...sb.env, GITHUB_ENV: githubEnv }, reject: false });
    expect(start.exitCode, start.stderr).toBe(0);
    const zk = JSON.parse(await readFile(path.join(dir, 'zk.json'), 'utf8'));
    expect(zk.health.state).toBe('healthy');
    expect(await readFile(githubEnv, 'utf8')).toBe(`ZK_CONNECT=${zk.connectString}\n`);
    expect((await serverPidsUnder(sb.root)).length).toBe(3);
    const stop = await execa('bash', ['-eo', 'pipefail', '-c', step('Stop ZooKeeper').run], { cwd: dir, env: sb.env, reject: false });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
  }, 120_000);

  it('the package: require() from CommonJS works, no install script, a LICENSE, source maps carry their sources, shipped ensemble files by name', async () => {
    const dir = path.join(scratch, 'cjs');
    await cp(path.join(examples, 'jest'), dir, { recursive: true });
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'cjs-user', private: true, type: 'commonjs' }));
    const install = await execa('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: dir, all: true });
    expect(install.all).not.toMatch(/install script|prepare/i);
    const pkgDir = path.join(dir, 'node_modules', 'zkpseudo');
    const manifest = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8'));
    expect(manifest.scripts?.prepare).toBeUndefined();
    expect(manifest.repository).toBeTruthy();
    expect(manifest.keywords).toContain('zookeeper');
    expect(await readFile(path.join(pkgDir, 'LICENSE'), 'utf8')).toMatch(/Apache License/);
    const map = JSON.parse(await readFile(path.join(pkgDir, 'dist', 'index.js.map'), 'utf8'));
    expect(map.sourcesContent?.[0]).toMatch(/export async function up/);
    const cjs = await execa(process.execPath, ['-e', 'const z = require("zkpseudo"); console.log(typeof z.up, typeof z.open, typeof z.UsageError, require.resolve("zkpseudo"))'], { cwd: dir });
    // require() gets the CommonJS build (which Jest's own loader can load too), import the ES module one.
    expect(cjs.stdout).toBe(`function function function ${path.join(pkgDir, 'dist', 'cjs', 'index.js')}`);
    const esm = await execa(process.execPath, ['--input-type=module', '-e', 'const z = await import("zkpseudo"); console.log(typeof z.up, import.meta.resolve("zkpseudo"))'], { cwd: dir });
    expect(esm.stdout).toBe(`function file://${path.join(pkgDir, 'dist', 'index.js')}`);
    // The shipped ensemble files are usable by name from the installed package.
    const bin = path.join(dir, 'node_modules', '.bin', 'zkpseudo');
    const up = await execa(bin, ['up', '-f', 'three', '--ports', 'auto', '--name', 'shipped', '--json'], { cwd: dir, env: sb.env, reject: false });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).servers).toHaveLength(3);
    expect((await execa(bin, ['down', '--purge', '--name', 'shipped'], { cwd: dir, env: sb.env, reject: false })).exitCode).toBe(0);
  }, 180_000);
});
