/**
 * Files read back, with real servers (issue "Trust by construction", item 3): a truncated
 * cached tarball is fetched or packed again and the new ensemble is healthy; a CDS archive that
 * is junk, or a real one truncated past its header (which crashes the JVM with SIGBUS), is
 * quarantined and the servers start without it; garbage in the machine-wide port registry
 * while another `up` runs does not stop either. Each `up` says what it found.
 */
import { readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');

async function until(check: () => Promise<boolean>, ms: number, every = 100): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return check();
}

/** Pids of processes whose command line holds every needle (CDS builders of this sandbox's cache). */
async function pidsWith(...needles: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const p of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmd = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
    if (needles.every((n) => cmd.includes(n))) out.push(Number(p));
  }
  return out;
}

const noStack = (stderr: string) => {
  expect(stderr).not.toMatch(/TypeError|Cannot read properties/);
  expect(stderr).not.toMatch(/^\s+at /m);
};

describe('files read back, with real servers', () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  const cache = () => path.join(sb.root, 'cache');
  beforeAll(async () => {
    sb = await createSandbox('readback');
    // A port registry of this test's own: garbage written into it must not reach other runs.
    env = { ZKPSEUDO_RUNTIME_DIR: path.join(sb.root, 'runtime') };
  });
  afterAll(async () => {
    // A CDS builder still at work would start scratch servers: let it finish first (it stops them).
    if (sb) await until(async () => (await pidsWith('--zkpseudo-cds-builder', cache())).length === 0, 90_000, 500);
    await sb?.cleanup();
  });
  const up = (name: string, ...args: string[]) => sb.cli(['up', ...args, '--ports', 'auto', '--name', name], { env });
  const down = (name: string) => sb.cli(['down', '--purge', '--name', name], { env });

  it('a truncated downloaded tarball: a new ensemble downloads it again, says so, and is healthy', async () => {
    const from = ['--zk-version', sb.zkVersion, '--mirror', sb.mirrorUrl];
    const first = await up('dl1', '1', ...from);
    expect(first.exitCode, first.stderr).toBe(0);
    expect((await down('dl1')).exitCode).toBe(0);
    const tarball = path.join(cache(), `apache-zookeeper-${sb.zkVersion}-bin.tar.gz`);
    const size = (await stat(tarball)).size;
    await truncate(tarball, Math.floor(size / 2));
    // Without the unpacked tree, the tarball itself must be unpacked again.
    await rm(path.join(cache(), 'trees'), { recursive: true, force: true });
    const again = await up('dl2', '1', ...from);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`The cached tarball ${tarball} was damaged \\(it is ${Math.floor(size / 2)} bytes, but it was ${size} bytes when its SHA-512 was recorded\\); removed it; downloading it again`));
    expect((await stat(tarball)).size).toBe(size);
    noStack(again.stderr);
    expect((await down('dl2')).exitCode).toBe(0);
  });

  it('a truncated packed system tarball: a new ensemble packs it again, says so, and is healthy', async () => {
    const first = await up('sys1', '1', '--dist', 'system');
    expect(first.exitCode, first.stderr).toBe(0);
    expect((await down('sys1')).exitCode).toBe(0);
    const packed = (await readdir(path.join(cache(), 'system'))).filter((f) => f.endsWith('.tar.gz'));
    expect(packed).toHaveLength(1);
    const tarball = path.join(cache(), 'system', packed[0]!);
    await truncate(tarball, 4096);
    await rm(path.join(cache(), 'trees'), { recursive: true, force: true });
    const again = await up('sys2', '1', '--dist', 'system');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`The cached tarball ${tarball} was damaged \\(it is 4096 bytes.*\\); removed it; packing the system install at .* again`));
    noStack(again.stderr);
    expect((await down('sys2')).exitCode).toBe(0);
  });

  it('garbage in ports.json while another up runs: both ups succeed, and the damage is named', async () => {
    const registry = path.join(sb.root, 'runtime', 'ports.json');
    const other = execa(process.execPath, [CLI, 'up', '3', '--dist', 'system', '--ports', 'auto', '--name', 'running'], { env: { ...sb.env, ...env }, reject: false, timeout: 120_000, stdin: 'ignore' });
    try {
      // Once the other up holds its reservation (it does until its servers hold the ports)…
      expect(await until(async () => (await readFile(registry, 'utf8').catch(() => '')).includes('ensemble \\"running\\"'), 60_000, 20)).toBe(true);
      // …the registry is damaged under it: `[null]` made every later `up` fail with "Cannot read properties of null".
      await writeFile(registry, '[null]');
      const r = await up('beside', '1', '--dist', 'system');
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`The port registry ${registry} was damaged \\(\\[0\\]: null is not a mapping of keys\\); moved it aside to ${registry}\\.damaged-\\d+`));
      noStack(r.stderr);
      const o = await other;
      expect(o.exitCode, o.stderr).toBe(0);
      noStack(o.stderr);
      expect(JSON.parse(await readFile(registry, 'utf8'))).toEqual([]);
    } finally {
      await other.catch(() => undefined);
      await down('beside');
      await down('running');
    }
  });

  describe('the CDS archive', () => {
    const cdsEnv = () => ({ ...env, ZKPSEUDO_CDS: '' });
    const cds = () => path.join(cache(), 'cds');
    const quarantine = () => path.join(cds(), 'quarantine');
    const archives = async () => (await readdir(cds()).catch(() => [] as string[])).filter((f) => f.endsWith('.jsa'));
    const upCds = (name: string, ...args: string[]) => sb.cli(['up', ...args, '--dist', 'system', '--ports', 'auto', '--name', name], { env: cdsEnv() });
    const builtArchive = async () => {
      expect(await until(async () => (await archives()).length === 1 && (await pidsWith('--zkpseudo-cds-builder', cache())).length === 0, 120_000, 250)).toBe(true);
      return path.join(cds(), (await archives())[0]!);
    };
    const maps = async (name: string, archive: string) => {
      const pids = await serverPidsUnder(path.join(sb.root, 'home', name));
      return Promise.all(pids.map(async (p) => (await readFile(`/proc/${p}/maps`, 'utf8')).includes(archive)));
    };

    it('junk of the right name: up succeeds without it, the archive is quarantined and built again', async () => {
      const first = await upCds('cds1', '3');
      expect(first.exitCode, first.stderr).toBe(0);
      const archive = await builtArchive();
      await writeFile(archive, 'not an archive at all');
      const r = await upCds('cds2', '3');
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`The CDS archive ${archive} was damaged \\(it starts with 6e6f7420, not a dynamic CDS archive's magic a8ab0bf0\\); moved it aside to ${quarantine()}/`));
      noStack(r.stderr);
      expect(await readdir(quarantine())).toHaveLength(1);
      expect(await maps('cds2', archive)).toEqual([false, false, false]);
      // The healthy ensemble builds a fresh archive, which later servers map.
      const rebuilt = await builtArchive();
      expect(rebuilt).toBe(archive);
      const later = await upCds('cds3', '1');
      expect(later.exitCode, later.stderr).toBe(0);
      expect(await maps('cds3', archive)).toEqual([true]);
      for (const name of ['cds1', 'cds2', 'cds3']) expect((await down(name)).exitCode).toBe(0);
    });

    it('a real archive truncated past its header crashes the JVM (SIGBUS): up starts the servers again without it and quarantines it', async () => {
      const archive = await builtArchive();
      const size = (await stat(archive)).size;
      await truncate(archive, Math.floor(size / 2));
      const r = await upCds('crash', '3');
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/server \d: its JVM crashed at start with the CDS archive \(SIGBUS\); started it again without the archive/);
      expect(r.stderr).toMatch(new RegExp(`The CDS archive ${archive} was damaged \\(server \\d's JVM crashed at start with it \\(SIGBUS, report [^)]*hs_err_pid\\d+\\.log\\)\\); moved it aside to ${quarantine()}/`));
      noStack(r.stderr);
      expect(await stat(archive).catch(() => undefined)).toBeUndefined();
      expect(await readdir(quarantine())).toHaveLength(2);
      expect((await sb.cli(['status', '--name', 'crash'], { env: cdsEnv() })).exitCode).toBe(0);
      // Later starts work, without an archive (one quarantined twice is not built again).
      const restart = await sb.cli(['restart', 'all', '--wait', '--name', 'crash'], { env: cdsEnv() });
      expect(restart.exitCode, restart.stderr).toBe(0);
      expect(restart.stderr).not.toMatch(/crashed/);
      const later = await upCds('after', '1');
      expect(later.exitCode, later.stderr).toBe(0);
      await new Promise((res) => setTimeout(res, 1500));
      expect(await pidsWith('--zkpseudo-cds-builder', cache())).toEqual([]);
      expect(await archives()).toEqual([]);
      for (const name of ['crash', 'after']) expect((await down(name)).exitCode).toBe(0);
    });
  });
});
