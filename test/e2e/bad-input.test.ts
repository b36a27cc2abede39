/**
 * Bad input, table-driven: each case asserts the exit code, that the message names the
 * offending value, that no stack trace is printed, that no server process is left, and that
 * nothing under the home dir changed (an existing, stopped ensemble sits there throughout).
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

/** Every file under `dir` with its size and mtime, lock dirs excluded (they come and go). */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string) {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(d, e.name);
      if (e.name.endsWith('.lock')) continue;
      if (e.isDirectory()) await walk(full);
      else { const s = await stat(full); out.push(`${path.relative(dir, full)} ${s.size} ${s.mtimeMs}`); }
    }
  }
  await walk(dir);
  return out.sort();
}

describe('bad input never touches anything', () => {
  let sb: Sandbox;
  let files: string;
  beforeAll(async () => {
    sb = await createSandbox('badinput');
    const made = await sb.cli(['up', '3', '--name', 'keep', '--ports', 'auto', '--zk-version', sb.zkVersion, '--mirror', sb.mirrorUrl, '-q']);
    expect(made.exitCode, made.stderr).toBe(0);
    expect((await sb.cli(['down', '--name', 'keep', '-q'])).exitCode).toBe(0);
    files = path.join(sb.root, 'files');
    await mkdir(path.join(files, 'not-a-release'), { recursive: true });
    await writeFile(path.join(files, 'a-file'), 'x');
    await writeFile(path.join(files, 'mystery.tar.gz'), 'not gzip');
    await writeFile(path.join(files, 'apache-zookeeper-3.8.0-bin.tar.gz'), 'not gzip either');
    await writeFile(path.join(files, 'damaged', ), '');
    await mkdir(path.join(files, 'sums'), { recursive: true });
    await writeFile(path.join(files, 'sums', 'apache-zookeeper-3.8.0-bin.tar.gz'), 'garbage');
    await writeFile(path.join(files, 'sums', 'apache-zookeeper-3.8.0-bin.tar.gz.sha512'), `${'ab'.repeat(64)}  apache-zookeeper-3.8.0-bin.tar.gz\n`);
    await writeFile(path.join(files, 'typo.yaml'), 'name: typo\nserver: 3\n');
    await writeFile(path.join(files, 'values.yaml'), 'servers: 2\nheap: lots\n');
  }, 120_000);
  afterAll(async () => { await sb?.cleanup(); });

  // `@/` stands for this sandbox's files dir; it is resolved when a case runs.
  const f = (name: string) => `@/${name}`;
  const at = (text: string) => text.replaceAll('@/', `${path.join(sb.root, 'files')}/`);
  const cases: { args: string[]; exit: number; names: string }[] = [
    { args: ['up', '0'], exit: 64, names: 'servers: 0' },
    { args: ['up', '99'], exit: 64, names: '99' },
    { args: ['up', 'three'], exit: 64, names: 'three' },
    { args: ['up', '--zk-version', '3.8'], exit: 64, names: '"3.8"' },
    { args: ['up', '--zk-version', '3.3.6'], exit: 64, names: '3.3.6' },
    { args: ['up', '--heap', 'lots'], exit: 64, names: '"lots"' },
    { args: ['up', '--heap', '8m'], exit: 64, names: '"8m"' },
    { args: ['up', '--timeout', 'soon'], exit: 64, names: '"soon"' },
    { args: ['up', '--base-port', '80'], exit: 64, names: '80' },
    { args: ['up', '--base-port', '70000'], exit: 64, names: '70000' },
    { args: ['up', '--observers', 'x'], exit: 64, names: '"x"' },
    { args: ['up', '--ports', 'sometimes'], exit: 64, names: 'sometimes' },
    { args: ['up', '--config', 'dataDir=/tmp/x'], exit: 64, names: 'config.dataDir' },
    { args: ['up', '--config', 'server.1=127.0.0.1:1:2'], exit: 64, names: 'config.server.1' },
    { args: ['up', '--config', 'novalue'], exit: 64, names: 'novalue' },
    { args: ['up', '--config', 'syncLimit=5\\'], exit: 64, names: '--config syncLimit=5\\: syncLimit takes a whole number of ticks ≥ 1, not "5\\\\"' },
    { args: ['up', '--config', 'forceSync=maybe'], exit: 64, names: 'forceSync takes yes or no' },
    { args: ['up', '--config', 'maxClientCnxns=99999999999'], exit: 64, names: 'maxClientCnxns takes a whole number of connections from 0 to 2147483647' },
    { args: ['up', '--config', 'minSessionTimeout=50000'], exit: 64, names: 'config.minSessionTimeout: minSessionTimeout (50000 ms) is larger than maxSessionTimeout' },
    { args: ['up', '--mirror', 'ftp://m.example/'], exit: 64, names: 'ftp://m.example/' },
    { args: ['up', '--admin-port', 'someday'], exit: 64, names: 'someday' },
    { args: ['up', '--name', '../etc'], exit: 64, names: '../etc' },
    { args: ['status', '--name', '../../x'], exit: 64, names: '../../x' },
    { args: ['up', '--dist', '/nonexistent/zk.tar.gz'], exit: 64, names: '/nonexistent/zk.tar.gz' },
    { args: ['up', '--dist', f('not-a-release')], exit: 64, names: f('not-a-release') },
    { args: ['up', '--dist', f('mystery.tar.gz')], exit: 64, names: f('mystery.tar.gz') },
    { args: ['up', '--name', 'broken', '--dist', f('apache-zookeeper-3.8.0-bin.tar.gz')], exit: 2, names: f('apache-zookeeper-3.8.0-bin.tar.gz') },
    { args: ['up', '--name', 'sums', '--dist', f('sums/apache-zookeeper-3.8.0-bin.tar.gz')], exit: 2, names: 'does not match the SHA-512' },
    { args: ['up', '--name', 'nomirror', '--zk-version', '3.8.1', '--mirror', 'http://127.0.0.1:9/'], exit: 2, names: 'http://127.0.0.1:9/zookeeper/zookeeper-3.8.1/apache-zookeeper-3.8.1-bin.tar.gz' },
    { args: ['up', '5', '--name', 'keep'], exit: 64, names: 'not 5' },
    { args: ['up', '--name', 'keep', '--zk-version', '3.9.5'], exit: 64, names: 'not 3.9.5' },
    { args: ['up', '--name', 'keep', '--observers', '2'], exit: 64, names: 'not 2' },
    { args: ['stop', '9', '--name', 'keep'], exit: 64, names: 'no server 9' },
    { args: ['kill', 'everyone', '--name', 'keep'], exit: 64, names: '"everyone"' },
    { args: ['logs', '7', '--name', 'keep'], exit: 64, names: 'no server 7' },
    { args: ['status', '--name', 'nope'], exit: 3, names: '"nope"' },
    { args: ['down', '--name', 'nope'], exit: 3, names: '"nope"' },
    { args: ['check', '--name', 'nope'], exit: 3, names: '"nope"' },
    { args: ['frobnicate'], exit: 64, names: 'frobnicate' },
    { args: ['status', '--home', f('a-file')], exit: 64, names: f('a-file') },
    { args: ['up', '--home', f('a-file')], exit: 64, names: f('a-file') },
    { args: ['up', '-f', f('missing.yaml')], exit: 64, names: f('missing.yaml') },
    { args: ['up', '-f', f('typo.yaml')], exit: 64, names: `${f('typo.yaml')}:2: server` },
    { args: ['up', '-f', f('values.yaml')], exit: 64, names: `${f('values.yaml')}:2: heap: "lots"` },
  ];

  for (const c of cases) {
    it(`zkpseudo ${c.args.join(' ')} → exit ${c.exit}`, async () => {
      const home = path.join(sb.root, 'home');
      const before = await snapshot(home);
      const r = await sb.cli(c.args.map(at), { timeout: 60_000 });
      expect(r.exitCode, r.stderr).toBe(c.exit);
      expect(r.stderr).toContain(at(c.names));
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
      if (c.exit !== 3 && !c.args.includes('frobnicate') && !r.stderr.includes('unknown option') && !r.stderr.includes('Allowed choices')) {
        expect(r.stderr).toMatch(/^hint: /m);
      }
      expect(await serverPidsUnder(sb.root)).toEqual([]);
      expect(await snapshot(home)).toEqual(before);
    });
  }
});
