/**
 * `zkpseudo export` as a user runs it (the built CLI; no server is started): from a shipped
 * file, ./zkpseudo.yaml or an existing ensemble; to stdout or --output; what does not carry
 * over said on stderr; a link, a directory or zkpseudo's own home refused as the output.
 */
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { exportEnsemble } from '../../src/export/export.js';
import { parseEnsembleFile } from '../../src/options/file.js';
import { writeSpec } from '../../src/ensemble/store/spec-file.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { specOf } from '../helpers/export-cases.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');
const ENSEMBLES = path.resolve(import.meta.dirname, '../../ensembles');

describe('zkpseudo export', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = async (args: string[], cwd = dir) => {
    const r = await execa(process.execPath, [CLI, ...args], { cwd, env, reject: false, stdin: 'ignore' });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-export-'));
    env = { ...process.env, ZKPSEUDO_HOME: path.join(dir, 'home'), ZKPSEUDO_CACHE: path.join(dir, 'cache'), NO_COLOR: '1', ZKPSEUDO_NAME: '' };
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('prints what the library renders for a shipped file, and says on stderr what it chose', async () => {
    const r = await cli(['export', 'kubernetes', '-f', 'three-plus-observer']);
    expect(r.exitCode).toBe(0);
    const opts = parseEnsembleFile(await readFile(path.join(ENSEMBLES, 'three-plus-observer.yaml'), 'utf8'), 'three-plus-observer.yaml');
    expect(r.stdout).toBe(exportEnsemble(opts, 'kubernetes').text.trimEnd());
    expect(r.stderr).toMatch(/^! zkVersion: not pinned; exported as 3\.9\.5/m);
  });

  it('writes --output, says what to run next, and names what did not carry over', async () => {
    await writeFile(path.join(dir, 'fast.yaml'), 'name: fast\nservers: 3\ntick: 200ms\nfaults: true\nzkVersion: "3.8.0"\n');
    const r = await cli(['export', 'compose', '-f', 'fast.yaml', '--output', 'compose.yaml']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/! not carried over: tick 200ms/);
    expect(r.stderr).toMatch(/! not carried over: faults/);
    expect(r.stderr).toMatch(/wrote .*compose\.yaml; next: docker compose -p fast -f compose\.yaml up -d, then zkpseudo status --connect 127\.0\.0\.1:2181,127\.0\.0\.1:2182,127\.0\.0\.1:2183/);
    const text = await readFile(path.join(dir, 'compose.yaml'), 'utf8');
    expect(text).toMatch(/^# {3}- tick 200ms: a loopback setting/m);
    expect(YAML.parse(text).services.zoo1.environment.ZOO_TICK_TIME).toBe('2000');
  });

  it('reads ./zkpseudo.yaml by default, and --name overrides its name as for up', async () => {
    const proj = path.join(dir, 'proj');
    await mkdir(proj);
    await writeFile(path.join(proj, 'zkpseudo.yaml'), 'name: proj\nservers: 5\nzkVersion: "3.9.3"\n');
    const r = await cli(['export', 'compose', '--json'], proj);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.from).toBe(path.join(proj, 'zkpseudo.yaml'));
    expect(Object.keys(YAML.parse(doc.text).services)).toEqual(['zoo1', 'zoo2', 'zoo3', 'zoo4', 'zoo5']);
    const renamed = await cli(['export', 'kubernetes', '-f', 'zkpseudo.yaml', '--name', 'other'], proj);
    expect(renamed.stdout).toMatch(/name: other-hs/);
  });

  it('exports an existing ensemble by --name (its recorded spec), and exit 3 when there is none', async () => {
    const paths = ensemblePaths(path.join(dir, 'home'), 'rec');
    await writeSpec(paths, { ...specOf({ name: 'rec', servers: 3, observers: 1, zkVersion: '3.8.0', ports: 24000 }), faults: { links: {}, clients: {} } });
    const r = await cli(['export', 'compose', '--name', 'rec']);
    expect(r.exitCode).toBe(0);
    // Its own client ports are published, so its connect string works against the Compose ensemble too.
    expect(YAML.parse(r.stdout).services.zoo4.ports).toEqual(['127.0.0.1:24003:2181']);
    expect(r.stderr).toMatch(/not carried over: faults/);
    const none = await cli(['export', 'compose', '--name', 'nosuch']);
    expect(none.exitCode).toBe(3);
  });

  it('refuses a link, a directory and zkpseudo\'s home as --output, changing nothing', async () => {
    await writeFile(path.join(dir, 'victim'), 'precious');
    await symlink(path.join(dir, 'victim'), path.join(dir, 'link.yaml'));
    const link = await cli(['export', 'compose', '-f', 'three', '-o', 'link.yaml']);
    expect(link.exitCode).toBe(64);
    expect(link.stderr).toMatch(/link\.yaml: it is a symbolic link/);
    expect(await readFile(path.join(dir, 'victim'), 'utf8')).toBe('precious');
    expect(await readlink(path.join(dir, 'link.yaml'))).toBe(path.join(dir, 'victim'));
    expect((await cli(['export', 'compose', '-f', 'three', '-o', dir])).stderr).toMatch(/it is a directory/);
    await mkdir(path.join(dir, 'home', 'x'), { recursive: true });
    const home = await cli(['export', 'compose', '-f', 'three', '-o', path.join(dir, 'home', 'x', 'c.yaml')]);
    expect(home.exitCode).toBe(64);
    expect(home.stderr).toMatch(/inside zkpseudo's home dir/);
  });

  it('a bad target or a spec no engine could run is a usage error (64)', async () => {
    expect((await cli(['export', 'nomad', '-f', 'three'])).exitCode).toBe(64);
    await writeFile(path.join(dir, 'old.yaml'), 'servers: 3\nzkVersion: "3.4.14"\n');
    const old = await cli(['export', 'compose', '-f', 'old.yaml']);
    expect(old.exitCode).toBe(64);
    expect(old.stderr).toMatch(/3\.4\.14 is older than 3\.5\.0/);
  });
});
