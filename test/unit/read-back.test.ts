/**
 * Every file zkpseudo reads back × every kind of garbage (issue "Trust by construction", item 3):
 * each is decoded strictly (src/edge/fs/decode.ts) and ends in its documented outcome — decoded as
 * absent or damaged, named with its path, moved aside or rebuilt, the command going on — or in
 * a clear ZkpseudoError; never a TypeError. Real files in temp dirs, the real modules.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DamagedEnsembleError, ZkpseudoError } from '../../src/errors.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { readSpecIfAny, writeSpec } from '../../src/ensemble/store/spec-file.js';
import { endLease, readLease } from '../../src/ensemble/lease/lease.js';
import { readRemovedLeader, REMOVED_LEADER_FILE } from '../../src/ensemble/faults/removed-leader.js';
import { reservePorts } from '../../src/edge/reservations.js';
import { sha512Remembered } from '../../src/tarball/digests.js';
import { packSystemInstall, type SystemInstall } from '../../src/tarball/system.js';
import { faultFiles, readFaultState } from '../../src/ensemble/faults/proxy-control.js';
import { addTreeUser, liveTreeUsers } from '../../src/tarball/tree-users.js';
import { archiveUsable, DYNAMIC_ARCHIVE_MAGIC, quarantineDir } from '../../src/ensemble/cds/archive.js';
import { ensureSecret, readSecret, secretFile } from '../../src/ensemble/store/super-secret.js';
import { checkServerCertificate } from '../../src/ensemble/security/cert-check.js';
import { createSecurityMaterial } from '../../src/ensemble/security/material.js';
import { securityFiles } from '../../src/ensemble/security/files.js';
import { ensureDist } from '../../src/tarball/resolve.js';
import { unpackCopies } from '../../src/tarball/pack.js';
import { DamagedTarballError } from '../../src/tarball/proof.js';
import { sha512OfFile } from '../../src/tarball/download.js';
import { diagnoseJvmCrash } from '../../src/zk/logs/startfail.js';
import { parseZkVersion } from '../../src/zk/versions.js';
import type { EnsembleSpec } from '../../src/options/types.js';
import { startMirror, type Mirror } from '../helpers/mirror.js';

let root: string;
let n = 0;
beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-readback-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });
/** A fresh directory for one case. */
const fresh = async (label: string) => {
  const dir = path.join(root, `${label.replace(/\W+/g, '-')}-${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
};

const HEX = 'ab'.repeat(64);
/** Bytes that are not UTF-8 (0xff never is), with a NUL and a fragment of JSON for good measure. */
const JUNK = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0xc3, 0x28, 0x9f, 0x92, 0x96, 0x00, 0x01]);

/** The kinds of garbage; the shape-dependent ones (wrong types, huge value, climbing path) come from each file's case. */
type Kind = 'empty' | 'truncated JSON' | 'null' | 'the wrong container' | 'wrong types' | 'a huge value' | 'a huge file' | 'a path that climbs out' | 'binary junk';
const KINDS: Kind[] = ['empty', 'truncated JSON', 'null', 'the wrong container', 'wrong types', 'a huge value', 'a huge file', 'a path that climbs out', 'binary junk'];

interface Variants {
  /** `[]` where an object is expected (or `{}` where a list is). */
  container?: string;
  wrongTypes: string;
  huge: string;
  climbs: string;
}

function garbage(kind: Kind, v: Variants): string | Buffer {
  switch (kind) {
    case 'empty': return '';
    case 'truncated JSON': return '{"ownerPid": 12, "ports": [1, 2';
    case 'null': return 'null';
    case 'the wrong container': return v.container ?? '[]';
    case 'wrong types': return v.wrongTypes;
    case 'a huge value': return v.huge;
    case 'a huge file': return `[${'1,'.repeat(5_000_000)}1]`;
    case 'a path that climbs out': return v.climbs;
    case 'binary junk': return JUNK;
  }
}

/** Runs `fn`; whatever it throws must be a ZkpseudoError (never a TypeError or a bare Error). */
async function noCrash<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: ZkpseudoError }> {
  try {
    return { value: await fn() };
  } catch (err) {
    expect(err, String((err as Error)?.stack)).toBeInstanceOf(ZkpseudoError);
    return { error: err as ZkpseudoError };
  }
}

const damagedBeside = async (file: string) => (await readdir(path.dirname(file))).filter((f) => f.startsWith(`${path.basename(file)}.damaged-`));

function spec(name: string, over: Record<string, unknown> = {}): EnsembleSpec {
  return {
    name, zkVersion: '3.8.0', heapMb: 128, portScheme: 'auto', config: {}, createdAt: '2025-01-31T12:00:00.000Z',
    dist: { source: 'system', origin: '/usr/share/zookeeper/bin', tarball: '/tmp/x/apache-zookeeper-3.8.0-bin.tar.gz', sha512: HEX },
    members: [{ id: 1, peerType: 'participant', ports: { client: 21810, quorum: 28880, election: 38880 } }],
    ...over,
  } as EnsembleSpec;
}

describe.each(KINDS)('garbage: %s', (kind) => {
  it('ensemble.yaml: DamagedEnsembleError naming the file and the problem; not moved (down works without it)', async () => {
    const home = await fresh('spec');
    const paths = ensemblePaths(home, 'e');
    await writeSpec(paths, spec('e'));
    expect(await readSpecIfAny(paths)).toMatchObject({ name: 'e' });
    const good = JSON.stringify(spec('e'));
    await writeFile(paths.specFile, garbage(kind, {
      wrongTypes: good.replace('"heapMb":128', '"heapMb":"128"').replace('"id":1', '"id":"one"'),
      huge: good.replace('"heapMb":128', '"heapMb":1e308'),
      climbs: JSON.stringify(spec('e', { dist: { source: 'system', origin: '/usr/share/zookeeper/bin', tarball: '../../x.tar.gz', sha512: '../../../../tmp/x' } })),
    }));
    const { error } = await noCrash(() => readSpecIfAny(paths));
    expect(error).toBeInstanceOf(DamagedEnsembleError);
    expect(error!.message).toContain(paths.specFile);
    expect(error!.exitCode).toBe(2);
    if (kind === 'a path that climbs out') expect(error!.message).toMatch(/dist\.tarball: "\.\.\/\.\.\/x\.tar\.gz" is not a plain absolute path.*dist\.sha512: .* is not a SHA-512 digest/);
    expect(await readFile(paths.specFile)).toBeTruthy();
  });

  it('removed-leader.json: no record (new-leader falls back to the leader it sees first); with someone to tell, moved aside and named', async () => {
    const home = await fresh('removed');
    const paths = ensemblePaths(home, 'e');
    await mkdir(paths.dir, { recursive: true });
    const file = path.join(paths.dir, REMOVED_LEADER_FILE);
    const good = { leader: 2, epoch: 3, by: 'kill', at: '2026-01-01T00:00:00Z' };
    await writeFile(file, garbage(kind, {
      wrongTypes: JSON.stringify({ ...good, leader: '2', epoch: 'three' }),
      huge: JSON.stringify({ ...good, epoch: 1e308 }),
      climbs: JSON.stringify({ ...good, at: '../../x' }),
    }));
    expect((await noCrash(() => readRemovedLeader(paths))).value).toBeUndefined();
    expect(await damagedBeside(file)).toEqual([]);
    const notices: string[] = [];
    expect((await noCrash(() => readRemovedLeader(paths, (t) => notices.push(t)))).value).toBeUndefined();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/removed-leader\.json was damaged \(.+\); moved it aside to .*removed-leader\.json\.damaged-\d+/);
    expect(await damagedBeside(file)).toHaveLength(1);
  });

  it('owner.json: no lease; with someone to tell, moved aside and named; ls/gc/the watcher leave it', async () => {
    const home = await fresh('lease');
    const paths = ensemblePaths(home, 'e');
    await mkdir(paths.dir, { recursive: true });
    const good = { ownerPid: process.pid, ownerStart: 1, token: '0123456789abcdef', watcherPid: null };
    await writeFile(paths.ownerFile, garbage(kind, {
      wrongTypes: JSON.stringify({ ...good, ownerPid: String(process.pid), token: 5 }),
      huge: JSON.stringify({ ...good, ownerPid: 1e308 }),
      climbs: JSON.stringify({ ...good, token: '../../x' }),
    }));
    // A reader with no one to tell (ls, gc, the lease watcher): no lease, file left in place.
    expect((await noCrash(() => readLease(paths))).value).toBeUndefined();
    expect(await damagedBeside(paths.ownerFile)).toEqual([]);
    const notices: string[] = [];
    expect((await noCrash(() => readLease(paths, (t) => notices.push(t)))).value).toBeUndefined();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(paths.ownerFile);
    expect(notices[0]).toMatch(/was damaged \(.+\); moved it aside to .*owner\.json\.damaged-\d+/);
    expect(await damagedBeside(paths.ownerFile)).toHaveLength(1);
    await noCrash(() => endLease(paths));
  });

  it('ports.json: counts as no reservations, moved aside and named; the reservation goes on and rewrites it', async () => {
    const dir = await fresh('ports');
    const env = { ZKPSEUDO_RUNTIME_DIR: dir };
    const file = path.join(dir, 'ports.json');
    await writeFile(file, garbage(kind, {
      container: '{}',
      wrongTypes: JSON.stringify([{ pid: '1', holder: 5, ports: 'x' }]),
      huge: JSON.stringify([{ pid: 1e308, holder: 'h', ports: [1] }]),
      climbs: JSON.stringify([{ pid: 1, holder: 'h', ports: ['../../x'] }]),
    }));
    const port = await freePort();
    const notices: string[] = [];
    const { value } = await noCrash(() => reservePorts(env, 'ensemble "t"', [port], (t) => notices.push(t)));
    expect(value!.conflicts).toEqual([]);
    expect(notices.join('\n')).toContain(file);
    expect(await damagedBeside(file)).toHaveLength(1);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([{ pid: process.pid, holder: 'ensemble "t"', ports: [port] }]);
    await value!.release();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([]);
  });

  it('the digests memo: moved aside and named, the tarball hashed again and the memo rebuilt', async () => {
    const cache = await fresh('memo');
    const file = path.join(cache, 'apache-zookeeper-3.8.0-bin.tar.gz');
    await writeFile(file, 'tarball bytes\n');
    const truth = createHash('sha512').update('tarball bytes\n').digest('hex');
    expect(await sha512Remembered(cache, file)).toBe(truth);
    const memo = path.join(cache, 'digests', `${createHash('sha256').update(file).digest('hex').slice(0, 32)}.json`);
    const s = await stat(file);
    const good = { file, size: s.size, mtimeMs: s.mtimeMs, sha512: 'cd'.repeat(64) };
    await writeFile(memo, garbage(kind, {
      wrongTypes: JSON.stringify({ ...good, size: String(s.size) }),
      huge: JSON.stringify({ ...good, size: 1e308 }),
      climbs: JSON.stringify({ ...good, file: `${cache}/../../x` }),
    }));
    const notices: string[] = [];
    expect((await noCrash(() => sha512Remembered(cache, file, (t) => notices.push(t)))).value).toBe(truth);
    expect(notices.join('\n')).toContain(memo);
    expect(await damagedBeside(memo)).toHaveLength(1);
    expect(JSON.parse(await readFile(memo, 'utf8'))).toMatchObject({ file, sha512: truth });
  });

  it('the .sha512 record beside a packed tarball: moved aside and named, the tarball packed again', async () => {
    const dir = await fresh('record');
    const install = await fakeInstall(dir);
    const cache = path.join(dir, 'cache');
    const first = await packSystemInstall(install, cache);
    const record = `${first.tarball}.sha512`;
    await writeFile(record, garbage(kind, {
      wrongTypes: `12345  ${path.basename(first.tarball)}\n`,
      huge: `${'f'.repeat(100_000)}  ${path.basename(first.tarball)}\n`,
      climbs: `${first.sha512}  ../../x\n`,
    }));
    const notices: string[] = [];
    const { value } = await noCrash(() => packSystemInstall(install, cache, (t) => notices.push(t)));
    expect(value!.sha512).toBe(await sha512OfFile(value!.tarball));
    expect(notices.join('\n')).toContain(record);
    expect(notices.join('\n')).toMatch(/packing the system install .* again/);
    expect(await damagedBeside(record)).toHaveLength(1);
    expect(await readFile(record, 'utf8')).toBe(`${value!.sha512}  ${path.basename(value!.tarball)}\n`);
  });

  it('faults.json and faults.applied: no faults, numbered past what the proxy applied; moved aside and named', async () => {
    const home = await fresh('faults');
    const paths = ensemblePaths(home, 'e');
    await mkdir(paths.dir, { recursive: true });
    const files = faultFiles(paths);
    const good = { generation: 3, cut: ['1-2'], clientsCut: [1], delays: { '1-2': { ms: 10, jitterMs: 0 } } };
    await writeFile(files.state, garbage(kind, {
      wrongTypes: JSON.stringify({ ...good, generation: '3', cut: 'all' }),
      huge: JSON.stringify({ ...good, generation: 1e308 }),
      climbs: JSON.stringify({ ...good, cut: ['../../x'] }),
    }));
    await writeFile(files.applied, '7\n');
    // A status poll (no one to tell): no faults, file left in place.
    expect((await noCrash(() => readFaultState(paths))).value).toMatchObject({ cut: [], clientsCut: [], delays: {}, generation: 7 });
    expect(await damagedBeside(files.state)).toEqual([]);
    // faults.applied damaged too: nothing applied yet.
    await writeFile(files.applied, garbage(kind, { wrongTypes: 'seven', huge: '9'.repeat(40), climbs: '../../x' }));
    const notices: string[] = [];
    expect((await noCrash(() => readFaultState(paths, (t) => notices.push(t)))).value).toMatchObject({ cut: [], generation: 0 });
    expect(notices.join('\n')).toContain(files.state);
    expect(await damagedBeside(files.state)).toHaveLength(1);
  });

  it('a tree user record: counts for nothing and is removed', async () => {
    const cache = await fresh('users');
    const tree = path.join(cache, 'trees', '0'.repeat(32));
    await mkdir(path.join(tree, 'lib'), { recursive: true });
    const copy = path.join(cache, 'copy');
    await addTreeUser(cache, tree, copy);
    const record = path.join(`${tree}.users`, (await readdir(`${tree}.users`))[0]!);
    expect(await liveTreeUsers(cache, tree)).toEqual([copy]);
    await writeFile(record, garbage(kind, { wrongTypes: '5\n', huge: `/${'a'.repeat(100_000)}\n`, climbs: '../../x\n' }));
    expect((await noCrash(() => liveTreeUsers(cache, tree))).value).toEqual([]);
    expect(await readdir(`${tree}.users`)).toEqual([]);
  });

  it('super.secret: no super user until the next start, which moves it aside, names it and makes a new one', async () => {
    const home = await fresh('secret');
    const paths = ensemblePaths(home, 'e');
    await mkdir(paths.dir, { recursive: true });
    const file = secretFile(paths);
    await writeFile(file, garbage(kind, {
      wrongTypes: `${'A'.repeat(42)}:\n`,
      huge: `${'A'.repeat(100_000)}\n`,
      climbs: '../../x\n',
    }), { mode: 0o600 });
    // dump/reset (no one to tell): damaged, file left in place.
    expect((await noCrash(() => readSecret(paths))).value).toEqual({ problem: 'damaged' });
    expect(await damagedBeside(file)).toEqual([]);
    // A start: moved aside, named, and a new password made.
    const notices: string[] = [];
    const { value } = await noCrash(() => ensureSecret(paths, (t) => notices.push(t)));
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(file);
    expect(notices[0]).toMatch(/was damaged \(.+\); moved it aside to .*super\.secret\.damaged-\d+; made a new one/);
    expect(await damagedBeside(file)).toHaveLength(1);
    expect(await readFile(file, 'utf8')).toBe(`${value}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readSecret(paths)).toEqual({ password: value });
  });

  it('security/ca.pem and server-N.pem: the server does not start; a ZkpseudoError names the file, its fault and how to make new keys; left in place', async () => {
    const home = await fresh('certs');
    const paths = ensemblePaths(home, 'e');
    const secured = spec('e', { security: { tls: { only: false, clientAuth: 'need' } } });
    await createSecurityMaterial(paths, secured);
    const files = securityFiles(paths);
    await checkServerCertificate(paths, secured, 1);
    for (const file of [files.caCert, files.serverStore(1)]) {
      const good = await readFile(file, 'utf8');
      const bad = garbage(kind, {
        // The PEM shapes of each kind: a key where a certificate belongs, a certificate longer than any, a block zkpseudo never writes.
        wrongTypes: good.replace(/CERTIFICATE-----/g, 'PRIVATE KEY-----'),
        huge: good.replace(/(-----BEGIN CERTIFICATE-----\n)/, `$1${'QUFB'.repeat(20_000)}\n`),
        climbs: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nLi4vLi4veA==\n-----END ENCRYPTED PRIVATE KEY-----\n',
      });
      await writeFile(file, bad);
      const { error } = await noCrash(() => checkServerCertificate(paths, secured, 1));
      expect(error, `${kind} in ${file}`).toBeInstanceOf(ZkpseudoError);
      expect(error!.message).toContain(file);
      expect(error!.message).toMatch(/cannot be used: .+\.$/);
      expect(error!.hint).toMatch(/Make new keys and certificates \(the data is kept\)/);
      expect(error!.exitCode).toBe(2);
      expect((await readFile(file)).equals(Buffer.from(bad)), "the file is left as it was").toBe(true);
      await writeFile(file, good);
    }
  });

  it('the CDS archive: not used, moved to the quarantine and named', async () => {
    const cache = await fresh('cds');
    const archive = path.join(cache, 'cds', `${'1'.repeat(32)}-${'2'.repeat(16)}.jsa`);
    await mkdir(path.dirname(archive), { recursive: true });
    await writeFile(archive, garbage(kind, { wrongTypes: '{"magic": "f00baba8"}', huge: 'x'.repeat(1_000_000), climbs: '../../x' }));
    const notices: string[] = [];
    expect((await noCrash(() => archiveUsable(cache, archive, (t) => notices.push(t)))).value).toBe(false);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(archive);
    expect(notices[0]).toContain(quarantineDir(cache));
    expect(await readdir(quarantineDir(cache))).toEqual([expect.stringMatching(/^1{32}-2{16}\.jsa\.\d+$/)]);
    expect(await stat(archive).catch(() => undefined)).toBeUndefined();
  });
});

describe('the cache proves what it unpacks', () => {
  let mirror: Mirror;
  let install: SystemInstall;
  let tarball: string;
  let sha: string;
  beforeAll(async () => {
    const dir = await fresh('dist');
    install = await fakeInstall(dir);
    ({ tarball, sha512: sha } = await packSystemInstall(install, path.join(dir, 'cache')));
    const base = '/zookeeper/zookeeper-3.8.0/apache-zookeeper-3.8.0-bin.tar.gz';
    mirror = await startMirror([{ path: base, file: tarball }, { path: `${base}.sha512`, body: `${sha}  apache-zookeeper-3.8.0-bin.tar.gz\n` }]);
  });
  afterAll(async () => { await mirror?.close(); });

  it('a truncated download in the cache is removed and downloaded again, saying so', async () => {
    const env = { ZKPSEUDO_CACHE: await fresh('dl') };
    const req = { zkVersion: parseZkVersion('3.8.0')!, mirror: mirror.url };
    const first = await ensureDist(req, { env });
    await truncate(first.record.tarball, 100);
    const notices: string[] = [];
    const again = await ensureDist(req, { env, onNotice: (t) => notices.push(t) });
    expect(again.record.sha512).toBe(sha);
    expect(await sha512OfFile(again.record.tarball)).toBe(sha);
    expect(notices.join('\n')).toMatch(new RegExp(`The cached tarball ${first.record.tarball} was damaged \\(it is 100 bytes, but it was \\d+ bytes when its SHA-512 was recorded\\); removed it; downloading it again`));
    expect(mirror.requests.filter((p) => p.endsWith('.tar.gz')).length).toBe(2);
  });

  it('offline, a damaged cached tarball is removed and said to be missing, not trusted', async () => {
    const env = { ZKPSEUDO_CACHE: await fresh('offline') };
    const req = { zkVersion: parseZkVersion('3.8.0')!, mirror: mirror.url };
    const first = await ensureDist(req, { env });
    // Same size, other bytes: only the SHA-512 can tell.
    const bytes = await readFile(first.record.tarball);
    await writeFile(first.record.tarball, Buffer.alloc(bytes.length, 0x41));
    const notices: string[] = [];
    const { error } = await noCrash(() => ensureDist({ ...req, offline: true }, { env, onNotice: (t) => notices.push(t) }));
    expect(error?.message).toMatch(/not in the cache, and --offline/);
    expect(notices.join('\n')).toMatch(/was damaged \(its SHA-512 is .*, but .* was recorded\)/);
    expect(await stat(first.record.tarball).catch(() => undefined)).toBeUndefined();
  });

  it('a truncated packed tarball is removed and packed again, saying so', async () => {
    const cache = await fresh('repack');
    const first = await packSystemInstall(install, cache);
    await truncate(first.tarball, 50);
    const notices: string[] = [];
    const again = await packSystemInstall(install, cache, (t) => notices.push(t));
    expect(again.sha512).toBe(await sha512OfFile(again.tarball));
    expect(notices.join('\n')).toMatch(/The cached tarball .* was damaged \(it is 50 bytes.*\); removed it; packing the system install .* again/);
  });

  it('unpackCopies proves the tarball against the recorded digest first: a damaged one is never unpacked', async () => {
    const cache = await fresh('unpack');
    const copy = path.join(cache, 'copy.tar.gz');
    await copyFile(tarball, copy);
    const tree = path.join(cache, 'trees', sha.slice(0, 32));
    await truncate(copy, 200);
    const err = await unpackCopies(copy, tree, [path.join(cache, 'home', 'zookeeper-1')], { roots: { tree: cache, copies: cache }, proof: { cache, sha512: sha } }).catch((e) => e);
    expect(err).toBeInstanceOf(DamagedTarballError);
    expect(err.message).toContain(copy);
    expect(await stat(tree).catch(() => undefined)).toBeUndefined();
    await copyFile(tarball, copy);
    await unpackCopies(copy, tree, [path.join(cache, 'home', 'zookeeper-1')], { roots: { tree: cache, copies: cache }, proof: { cache, sha512: sha } });
    expect((await stat(path.join(cache, 'home', 'zookeeper-1', 'bin', 'zkServer.sh'))).isFile()).toBe(true);
  });
});

describe('CDS archives, checked by their header', () => {
  it('a real dynamic archive passes; its magic is 0xf00baba8, little-endian', async () => {
    const dir = await fresh('jsa');
    const archive = path.join(dir, 'cds', `${'3'.repeat(32)}-${'4'.repeat(16)}.jsa`);
    await mkdir(path.dirname(archive), { recursive: true });
    execFileSync('java', [`-XX:ArchiveClassesAtExit=${archive}`, '-version'], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
    expect((await readFile(archive)).subarray(0, 4)).toEqual(DYNAMIC_ARCHIVE_MAGIC);
    expect(await archiveUsable(dir, archive)).toBe(true);
    // Damage past the header is the JVM's to find (SIGBUS at start): startOne quarantines it then.
    const cut = path.join(dir, 'cds', `${'5'.repeat(32)}-${'6'.repeat(16)}.jsa`);
    await copyFile(archive, cut);
    await truncate(cut, Math.floor((await stat(archive)).size / 2));
    expect(await archiveUsable(dir, cut)).toBe(true);
  });

  it('the crash banner of a JVM that mapped a truncated archive is recognised (a real capture)', async () => {
    const text = await readFile(path.resolve(import.meta.dirname, '../fixtures/jvm/crash-sigbus-truncated-cds-archive.txt'), 'utf8');
    expect(diagnoseJvmCrash(text)).toEqual({ signal: 'SIGBUS', report: '/tmp/jsa-probe/hs_err_pid30916.log' });
    expect(diagnoseJvmCrash('2025-01-01 INFO starting\n')).toBeUndefined();
  });
});

/** A minimal Apache-layout "system install" (bin/zkServer.sh, lib/zookeeper-3.8.0.jar), so packing is real and quick. */
async function fakeInstall(dir: string): Promise<SystemInstall> {
  const top = path.join(dir, 'install');
  await mkdir(path.join(top, 'bin'), { recursive: true });
  await mkdir(path.join(top, 'lib'), { recursive: true });
  await writeFile(path.join(top, 'bin', 'zkServer.sh'), '#!/bin/sh\necho zk\n', { mode: 0o755 });
  await writeFile(path.join(top, 'lib', 'zookeeper-3.8.0.jar'), 'jar bytes '.repeat(1000));
  return { kind: 'apache-layout', version: parseZkVersion('3.8.0')!, binDir: top, jarDir: path.join(top, 'lib') };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
