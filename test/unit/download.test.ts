/** Downloads over a real loopback HTTP server: verified bytes land in the cache, bad ones never do. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from '../../src/tarball/resolve.js';
import { ZkpseudoError } from '../../src/errors.js';
import { parseZkVersion } from '../../src/zk/versions.js';
import { startMirror, type Mirror } from '../helpers/mirror.js';

const payload = Buffer.from('not really a tarball, but bytes with a known digest\n'.repeat(5000));
const good = createHash('sha512').update(payload).digest('hex');
const bad = createHash('sha512').update('something else').digest('hex');

describe('ensureDist downloading from a mirror', () => {
  let mirror: Mirror;
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-dl-'));
    mirror = await startMirror([
      { path: '/zookeeper/zookeeper-3.8.1/apache-zookeeper-3.8.1-bin.tar.gz', body: payload },
      { path: '/zookeeper/zookeeper-3.8.1/apache-zookeeper-3.8.1-bin.tar.gz.sha512', body: `${good}  apache-zookeeper-3.8.1-bin.tar.gz\n` },
      { path: '/zookeeper/zookeeper-3.8.2/apache-zookeeper-3.8.2-bin.tar.gz', body: payload },
      { path: '/zookeeper/zookeeper-3.8.2/apache-zookeeper-3.8.2-bin.tar.gz.sha512', body: `${bad}  apache-zookeeper-3.8.2-bin.tar.gz\n` },
      { path: '/zookeeper/zookeeper-3.8.4/apache-zookeeper-3.8.4-bin.tar.gz', body: payload, cutAfter: 10_000 },
      { path: '/zookeeper/zookeeper-3.8.4/apache-zookeeper-3.8.4-bin.tar.gz.sha512', body: `${good}  apache-zookeeper-3.8.4-bin.tar.gz\n` },
    ]);
  });
  afterAll(async () => {
    await mirror.close();
    await rm(root, { recursive: true, force: true });
  });

  it('downloads once to the cache, verified, with progress; a second call reuses it', async () => {
    const env = { ZKPSEUDO_CACHE: path.join(root, 'c1') };
    const progress: number[] = [];
    const r = await ensureDist({ zkVersion: parseZkVersion('3.8.1')!, mirror: mirror.url }, { env, onDownload: (p) => progress.push(p.transferred) });
    expect(r.record).toMatchObject({ source: 'download', sha512: good });
    expect(await readFile(r.record.tarball)).toEqual(payload);
    expect(progress.at(-1)).toBe(payload.length);
    const before = mirror.requests.length;
    await ensureDist({ zkVersion: parseZkVersion('3.8.1')!, mirror: mirror.url }, { env });
    expect(mirror.requests.length).toBe(before);
    expect((await readdir(env.ZKPSEUDO_CACHE)).filter((f) => f.includes('.part'))).toEqual([]);
  });

  it('rejects a checksum mismatch loudly and leaves nothing in the cache', async () => {
    const env = { ZKPSEUDO_CACHE: path.join(root, 'c2') };
    const err = await ensureDist({ zkVersion: parseZkVersion('3.8.2')!, mirror: mirror.url }, { env }).catch((e) => e);
    expect(err).toBeInstanceOf(ZkpseudoError);
    expect(err.message).toMatch(/SHA-512 .* was published/);
    expect((await readdir(env.ZKPSEUDO_CACHE)).filter((f) => f.endsWith('.tar.gz') || f.includes('.part'))).toEqual([]);
  });

  it('retries a download cut off mid-way, and leaves nothing a later run would trust', async () => {
    const env = { ZKPSEUDO_CACHE: path.join(root, 'c5') };
    const err = await ensureDist({ zkVersion: parseZkVersion('3.8.4')!, mirror: mirror.url }, { env }).catch((e) => e);
    expect(err).toBeInstanceOf(ZkpseudoError);
    expect(mirror.requests.filter((p) => p.endsWith('3.8.4-bin.tar.gz')).length).toBeGreaterThan(1);
    expect(await readdir(env.ZKPSEUDO_CACHE)).toEqual([]);
  }, 30_000);

  it('names the URLs and suggests --mirror/--dist when a version is nowhere to be had', async () => {
    const env = { ZKPSEUDO_CACHE: path.join(root, 'c3') };
    const err = await ensureDist({ zkVersion: parseZkVersion('3.8.3')!, mirror: mirror.url }, { env }).catch((e) => e);
    expect(err).toBeInstanceOf(ZkpseudoError);
    expect(err.message).toContain(`${mirror.url}zookeeper/zookeeper-3.8.3/apache-zookeeper-3.8.3-bin.tar.gz`);
    expect(err.hint).toMatch(/--mirror/);
  });

  it('sweeps .part files left by a killed download, and never trusts them', async () => {
    const env = { ZKPSEUDO_CACHE: path.join(root, 'c6') };
    const { mkdir } = await import('node:fs/promises');
    await mkdir(env.ZKPSEUDO_CACHE, { recursive: true });
    const leftover = path.join(env.ZKPSEUDO_CACHE, 'apache-zookeeper-3.8.1-bin.tar.gz.12345-abc.part');
    await writeFile(leftover, payload.subarray(0, 1000));
    const r = await ensureDist({ zkVersion: parseZkVersion('3.8.1')!, mirror: mirror.url }, { env });
    expect(await readFile(r.record.tarball)).toEqual(payload);
    expect((await readdir(env.ZKPSEUDO_CACHE)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('re-downloads when the cached file was damaged after the fact', async () => {
    const env = { ZKPSEUDO_CACHE: path.join(root, 'c4') };
    const r = await ensureDist({ zkVersion: parseZkVersion('3.8.1')!, mirror: mirror.url }, { env });
    await writeFile(r.record.tarball, 'corrupted');
    const again = await ensureDist({ zkVersion: parseZkVersion('3.8.1')!, mirror: mirror.url }, { env });
    expect(await readFile(again.record.tarball)).toEqual(payload);
  });
});
