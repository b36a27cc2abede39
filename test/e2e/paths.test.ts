/**
 * Paths, with real servers: a home spelled with the characters shells, zkServer.sh, Java and
 * java.util.Properties each treat specially works as spelled; one that cannot work is refused
 * before anything is created (exit 64, naming the character or length); one home reached
 * through two spellings is one home (its servers are never started twice); and `ls` treats a
 * home that is a file as `status` does.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

describe('paths the JVM and the scripts can take', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('paths'); });
  afterAll(async () => { await sb?.cleanup(); });

  it('a home with blanks, quotes, $, %, backslash and non-ASCII letters works as spelled', async () => {
    const home = path.join(sb.root, `we ird'"$x%\\é`);
    const up = await sb.cli(['up', '1', '--ports', 'auto', '--home', home, '--name', 'odd', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).health.state).toBe('healthy');
    const status = await sb.cli(['status', '--home', home, '--name', 'odd']);
    expect(status.exitCode, status.stderr).toBe(0);
    // The server's log went where the home says, not to a path the logging configuration made up.
    expect(existsSync(path.join(home, 'odd', 'zookeeper-1', 'logs'))).toBe(true);
    expect((await sb.cli(['down', '--purge', '--home', home, '--name', 'odd'])).exitCode).toBe(0);
    expect(await serverPidsUnder(home)).toEqual([]);
  });

  for (const [label, dir, says] of [
    ['a ${…} variable', 'logs-${user.home}', /"\$\{"/],
    ['an emoji (outside the Basic Multilingual Plane)', 'zebra-\u{1F993}', /U\+1F993/],
    ['a length near PATH_MAX', 'x'.repeat(250) + '/' + 'y'.repeat(250) + '/'.concat('z'.repeat(250), '/').repeat(15), /bytes long/],
    ['a component longer than 255 bytes', 'n'.repeat(300), /longer than 255 bytes/],
  ] as const) {
    it(`a home with ${label} is refused up front (exit 64), and nothing is created`, async () => {
      const home = path.join(sb.root, 'refused', dir);
      const r = await sb.cli(['up', '1', '--ports', 'auto', '--home', home, '--name', 'no']);
      expect(r.exitCode, r.stderr).toBe(64);
      expect(r.stderr).toMatch(says);
      expect(r.stderr).toMatch(/hint: /);
      expect(existsSync(path.join(sb.root, 'refused'))).toBe(false);
    });
  }

  it('the cache dir is held to the same rules (its trees hold the servers\' jars)', async () => {
    const r = await sb.cli(['up', '1', '--ports', 'auto', '--name', 'c'], { env: { ZKPSEUDO_CACHE: path.join(sb.root, 'cache-${x}') } });
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toMatch(/The cache dir .* cannot be used/);
  });

  it('one home through two spellings is one home: the second `up` starts nothing, and both see the same servers', async () => {
    const real = path.join(sb.root, 'real-home');
    const alias = path.join(sb.root, 'alias-home');
    await mkdir(real);
    await symlink(real, alias);
    const first = await sb.cli(['up', '3', '--ports', 'auto', '--home', alias, '--name', 'twice', '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    const pids = (await serverPidsUnder(real)).sort();
    expect(pids).toHaveLength(3);
    const second = await sb.cli(['up', '--home', real, '--name', 'twice', '--json']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).started).toEqual([]);
    expect((await serverPidsUnder(real)).sort()).toEqual(pids);
    // A third spelling, with `..` in it, too.
    const viaDots = path.join(sb.root, 'real-home', '..', 'alias-home');
    const status = JSON.parse((await sb.cli(['status', '--home', viaDots, '--name', 'twice', '--json'])).stdout);
    expect(status.servers.map((s: { pid: number }) => s.pid).sort()).toEqual(pids);
    expect((await sb.cli(['down', '--purge', '--home', alias, '--name', 'twice'])).exitCode).toBe(0);
    expect(await serverPidsUnder(real)).toEqual([]);
  });

  it('ls --home <a file> is a usage error, as status is', async () => {
    const file = path.join(sb.root, 'a-file');
    await writeFile(file, 'not a directory');
    for (const cmd of ['ls', 'status']) {
      const r = await sb.cli([cmd, '--home', file]);
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(64);
      expect(r.stderr).toMatch(/is not a directory/);
    }
  });
});

// A full disk, for real: the home on a tiny tmpfs (root only, as in CI).
describe.skipIf(process.getuid?.() !== 0)('a full disk', () => {
  let sb: Sandbox;
  const mounts: string[] = [];
  beforeAll(async () => { sb = await createSandbox('fulldisk'); });
  afterAll(async () => {
    await sb?.cleanup().catch(() => undefined);
    for (const m of mounts) { try { execFileSync('umount', ['-l', m]); } catch { /* gone */ } }
  });

  async function tinyHome(label: string, size: string): Promise<string> {
    const dir = path.join(sb.root, label);
    await mkdir(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    mounts.push(dir);
    return dir;
  }

  const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

  it('full while unpacking: "the disk is full" naming the destination, nothing half-made left', async () => {
    const home = await tinyHome('tiny-copy', '1m');
    const r = await sb.cli(['up', '3', '--ports', 'auto', '--home', home, '--name', 'full']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/disk is full \(ENOSPC\)/);
    expect(r.stderr).toContain(path.join(home, 'full'));
    noStackTrace(r.stderr);
    expect(existsSync(path.join(home, 'full'))).toBe(false);
    expect(await serverPidsUnder(home)).toEqual([]);
  });

  it('full when the servers write their data: named in words, no stack-trace tail, nothing half-made left', async () => {
    // With class-data sharing the copies link their jars, so the copies fit and the JVMs run out.
    const home = await tinyHome('tiny-data', '200k');
    const r = await sb.cli(['up', '3', '--ports', 'auto', '--home', home, '--name', 'full', '--timeout', '40s'], { env: { ZKPSEUDO_CDS: '' } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/is full/);
    expect(r.stderr).toMatch(/hint: Free space on the file system/);
    noStackTrace(r.stderr);
    expect(await serverPidsUnder(home)).toEqual([]);
    expect(existsSync(path.join(home, 'full'))).toBe(false);
  });
});
