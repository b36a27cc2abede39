/**
 * Every --dist source reaches a serving server through the same unpack → zkServer.sh path:
 * a local tarball, an http URL (checked against the .sha512 beside it), and an unpacked
 * directory (packed into the cache first).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { unpackTarball } from '../../src/tarball/pack.js';
import { parseZkVersion } from '../../src/zk/versions.js';
import { tarballName } from '../../src/zk/version-facts.js';
import { startMirror, type Mirror } from '../helpers/mirror.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

describe('--dist sources', () => {
  let sb: Sandbox;
  let mirror: Mirror;
  let name: string;
  beforeAll(async () => {
    sb = await createSandbox('dist');
    name = tarballName(parseZkVersion(sb.zkVersion)!);
    mirror = await startMirror([
      { path: `/custom/${name}`, file: inject('distTarball')! },
      { path: `/custom/${name}.sha512`, body: `${inject('distSha512')}  ${name}\n` },
      { path: `/nosum/${name}`, file: inject('distTarball')! },
    ]);
  });
  afterAll(async () => { await sb?.cleanup(); await mirror?.close(); });

  async function upOne(label: string, dist: string) {
    const r = await sb.cli(['up', '1', '--name', label, '--ports', 'auto', '--dist', dist, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.zkVersion).toBe(sb.zkVersion);
    expect(json.servers[0].role).toBe('standalone');
    expect((await sb.cli(['down', '--purge', '--name', label])).exitCode).toBe(0);
  }

  it('a local tarball, verified against a .sha512 beside it', async () => {
    const dir = path.join(sb.root, 'local');
    await mkdir(dir, { recursive: true });
    await copyFile(inject('distTarball')!, path.join(dir, name));
    await writeFile(path.join(dir, `${name}.sha512`), `${inject('distSha512')}  ${name}\n`);
    await upOne('tarball', path.join(dir, name));
  });

  it('an http URL, with its .sha512', async () => {
    await upOne('url', `${mirror.url}custom/${name}`);
  });

  it('an http URL without a .sha512 is refused, naming it', async () => {
    const r = await sb.cli(['up', '1', '--name', 'nosum', '--dist', `${mirror.url}nosum/${name}`]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${mirror.url}nosum/${name}`);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
  });

  it('an unpacked ZooKeeper directory', async () => {
    const dir = path.join(sb.root, 'unpacked');
    await unpackTarball(inject('distTarball')!, dir);
    await upOne('directory', dir);
  });
});
