/**
 * The README's recipes, run for real: a scratch project elsewhere `npm install`s the packed
 * zkpseudo, and its vitest globalSetup (and Jest's) starts a 3-server ensemble, a real client
 * connects, and teardown removes it. The GitHub Actions job's shell steps run as written.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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

  it('vitest globalSetup: starts an ensemble, a test connects with a real client, teardown removes it', async () => {
    const dir = await project('vitest', 'vitest', ['vitest@4', 'node-zookeeper-client@1']);
    const r = await execa('npx', ['vitest', 'run'], { cwd: dir, env: sb.env, reject: false, timeout: 180_000 });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/1 passed/);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
    expect(await readdir(path.join(sb.root, 'home')).catch(() => [])).not.toContain('vitest');
  }, 300_000);

  it('Jest globalSetup/globalTeardown: the same, with ZK_CONNECT handed to the workers', async () => {
    const dir = await project('jest', 'jest', ['jest@29', 'node-zookeeper-client@1']);
    const r = await execa('npx', ['jest'], { cwd: dir, env: sb.env, reject: false, timeout: 180_000 });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/1 passed/);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
  }, 300_000);

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
    const cjs = await execa(process.execPath, ['-e', 'const z = require("zkpseudo"); console.log(typeof z.up, typeof z.open, typeof z.UsageError)'], { cwd: dir });
    expect(cjs.stdout).toBe('function function function');
    // The shipped ensemble files are usable by name from the installed package.
    const bin = path.join(dir, 'node_modules', '.bin', 'zkpseudo');
    const up = await execa(bin, ['up', '-f', 'three', '--ports', 'auto', '--name', 'shipped', '--json'], { cwd: dir, env: sb.env, reject: false });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).servers).toHaveLength(3);
    expect((await execa(bin, ['down', '--purge', '--name', 'shipped'], { cwd: dir, env: sb.env, reject: false })).exitCode).toBe(0);
  }, 180_000);
});
