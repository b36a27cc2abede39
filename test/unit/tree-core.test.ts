// The pieces of reset, seed and dump that need no server: ZooKeeper's path and ACL rules, node
// kinds from ephemeralOwner, the super user's digest (and its secret's place among an ensemble's
// files), --connect, and how operations are cut into multis that each fit a request and wait
// only for what they need.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { downEnsemble } from '../../src/ensemble/lifecycle/ops.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { createBytes, deleteBytes, planBatches, runBatches } from '../../src/ensemble/tree/batches.js';
import { connectTarget } from '../../src/ensemble/tree/target.js';
import { untangleDumpConnect } from '../../src/cli/commands/tree.js';
import { parseConnectString, type ConnectString } from '../../src/zk/connect-string.js';
import { superDigest } from '../../src/ensemble/store/super-secret.js';
import { ancestorsOf, formatAcl, isAtOrUnder, isReserved, kindOf, parentOf, parseAcl, znodePathProblem } from '../../src/zk/znodes.js';

describe('znode paths', () => {
  it('accepts what ZooKeeper accepts and names what it refuses', () => {
    for (const ok of ['/', '/a', '/a/b-c.d_e', '/ünï cödé', '/a/...', '/a/.b']) expect(znodePathProblem(ok), ok).toBeUndefined();
    expect(znodePathProblem('a')).toBe('must start with /');
    expect(znodePathProblem('')).toMatch(/is not a path/);
    expect(znodePathProblem('/a/')).toBe('must not end with /');
    expect(znodePathProblem('/a//b')).toBe('has an empty name (//)');
    expect(znodePathProblem('/a/../b')).toBe('has the relative name ".."');
    expect(znodePathProblem('/a/./b')).toBe('has the relative name "."');
    expect(znodePathProblem('/a\u0000')).toBe('holds a NUL character');
    expect(znodePathProblem('/a\tb')).toBe('holds the control character U+0009');
    expect(znodePathProblem('/emoji-😀')).toMatch(/Basic Multilingual Plane/);
    expect(znodePathProblem('/\ufff0')).toMatch(/U\+FFF0/);
  });

  it('knows parents, ancestors, subtrees and the reserved /zookeeper', () => {
    expect(parentOf('/a/b/c')).toBe('/a/b');
    expect(parentOf('/a')).toBe('/');
    expect(ancestorsOf('/a/b/c')).toEqual(['/a', '/a/b']);
    expect(ancestorsOf('/a')).toEqual([]);
    expect(isAtOrUnder('/a/b', '/a')).toBe(true);
    expect(isAtOrUnder('/ab', '/a')).toBe(false);
    expect(isAtOrUnder('/x', '/')).toBe(true);
    expect(isReserved('/zookeeper/quota')).toBe(true);
    expect(isReserved('/zookeeperish')).toBe(false);
  });
});

describe('ACLs', () => {
  it('reads and writes scheme:id:perms in zkCli\'s letters, a digest id keeping its colon', () => {
    const digest = 'digest:alice:p6hhgnMIVQyxd4Z3XHw0dXgfnLY=:cdrwa';
    expect(parseAcl(digest)).toEqual({ scheme: 'digest', id: 'alice:p6hhgnMIVQyxd4Z3XHw0dXgfnLY=', perms: 31 });
    expect(formatAcl(parseAcl(digest) as never)).toBe(digest);
    expect(parseAcl('world:anyone:r')).toEqual({ scheme: 'world', id: 'anyone', perms: 1 });
    expect(parseAcl('ip:127.0.0.1/8:')).toEqual({ scheme: 'ip', id: '127.0.0.1/8', perms: 0 });
    expect(formatAcl({ scheme: 'world', id: 'anyone', perms: 4 | 8 })).toBe('world:anyone:cd');
  });

  it('names what is wrong', () => {
    expect(parseAcl('world:anyone')).toMatch(/is not scheme:id:perms/);
    expect(parseAcl('world:everyone:r')).toMatch(/the world scheme has the one id "anyone"/);
    expect(parseAcl('world:anyone:rr')).toMatch(/the permission "r" is given twice/);
    expect(parseAcl('digest:alice:hunter2:r')).toMatch(/a digest id is user:base64/);
    expect(parseAcl('ip:localhost:r')).toMatch(/an ip id is an address/);
    expect(parseAcl(5)).toMatch(/is not an ACL/);
  });
});

describe('node kinds from stat.ephemeralOwner', () => {
  const owner = (hex: string) => Buffer.from(hex, 'hex');
  it('tells persistent, ephemeral (with its session), container and TTL apart', () => {
    expect(kindOf(owner('0000000000000000'))).toEqual({ kind: 'persistent' });
    expect(kindOf(owner('0100017f3a2b0000'))).toEqual({ kind: 'ephemeral', session: '0x100017f3a2b0000' });
    expect(kindOf(owner('8000000000000000'))).toEqual({ kind: 'container' });
    expect(kindOf(owner('ff0000000000ea60'))).toEqual({ kind: 'ttl', ttlMs: 60000 });
  });
});

describe('the super user', () => {
  it('is given to the servers as ZooKeeper\'s digest of super:password', () => {
    // DigestAuthenticationProvider.generateDigest("super:test") = super:D/InIHSb7yEEbrWz8b9l71RjZJU=
    expect(superDigest('test')).toBe('super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
  });

  it('its secret, moved aside or not, is one of the files down --purge knows as zkpseudo\'s', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-purge-secret-'));
    try {
      for (const [name, foreign] of [['plain', undefined], ['foreign', 'notes.txt']] as const) {
        const paths = ensemblePaths(home, name);
        await mkdir(path.join(paths.dir, 'zookeeper-1'), { recursive: true });
        await writeFile(path.join(paths.dir, 'ensemble.yaml'), 'not: [an ensemble');
        for (const f of ['super.secret', 'super.secret.damaged-1700000000000', 'owner.json.damaged-1700000000001', ...(foreign ? [foreign] : [])]) await writeFile(path.join(paths.dir, f), 'x');
        const purge = downEnsemble({ paths, env: {} }, { purge: true });
        if (foreign) await expect(purge).rejects.toThrow(/holds files zkpseudo did not put there/);
        else await purge;
        expect(existsSync(paths.dir), name).toBe(!!foreign);
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('--connect on reset, dump and seed', () => {
  const parsed = (text: string) => parseConnectString(text) as ConnectString;

  it('acts on the connect string zk/connect-string parsed, as an ordinary client, node by node', () => {
    for (const ok of ['127.0.0.1:2181', '127.0.0.1:2181,localhost:2182', 'zk1', 'a:1,b:2/app', 'a:1/']) {
      const t = connectTarget(parsed(ok));
      expect(t.connectString, ok).toBe(parsed(ok).text);
      expect(t.superPassword).toBeUndefined();
      expect(t.multiRead).toBe(false);
      expect(t.label).toBe(`the ensemble at ${parsed(ok).text}`);
    }
    // What is no connect string never reaches it (cli/target.ts refuses it with exit 64).
    for (const bad of ['', 'a:99999', 'a b:1', 'a:1/x//y', '[::1]:2181']) expect(typeof parseConnectString(bad), bad).toBe('string');
  });

  it('refuses a chroot ZooKeeper would not take as a path', () => {
    expect(() => connectTarget(parsed('a:1/x\u0001y'))).toThrow(/its chroot \/x\u0001y holds the control character U\+0001/);
  });

  it('dump --connect /app: the path commander gave --connect goes back to the path, and --connect reads $ZK_CONNECT', () => {
    expect(untangleDumpConnect(undefined, '/app')).toEqual({ root: '/app', connect: true });
    expect(untangleDumpConnect(undefined, 'zk1:2181/app')).toEqual({ root: undefined, connect: 'zk1:2181/app' });
    expect(untangleDumpConnect('/app', 'zk1:2181')).toEqual({ root: '/app', connect: 'zk1:2181' });
    expect(untangleDumpConnect('/app', undefined)).toEqual({ root: '/app', connect: undefined });
  });
});

describe('batches', () => {
  it('keep each multi under its byte and operation limits, in order', () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ path: `/n${i}`, bytes: 100 }));
    const byOps = planBatches(items, { bytes: 1e9, ops: 10 });
    expect(byOps.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(byOps.flat()).toEqual(items);
    const byBytes = planBatches(items, { bytes: 350, ops: 1000 });
    expect(byBytes.map((b) => b.length)).toEqual(Array(8).fill(3).concat([1]));
    // One item larger than the limit still goes, alone.
    expect(planBatches([{ bytes: 999 }, { bytes: 1 }], { bytes: 10, ops: 10 }).map((b) => b.length)).toEqual([1, 1]);
  });

  it('size operations as jute writes them', () => {
    expect(deleteBytes('/ab')).toBe(9 + 4 + 3 + 4);
    expect(createBytes('/ab', Buffer.from('xyz'), [{ scheme: 'world', id: 'anyone', perms: 31 }])).toBe(9 + 4 + 3 + 4 + 3 + (4 + 4 + 4 + 5 + 4 + 6) + 4 + 8);
  });

  it('are all sent at once, in order; the first failure is thrown with how many items committed', async () => {
    const sent: number[] = [];
    const batches = [[1, 2], [3], [4, 5, 6]];
    expect(await runBatches(batches, async (b) => { sent.push(b[0]!); })).toBe(6);
    expect(sent).toEqual([1, 3, 4]);
    const failing = runBatches(batches, async (b) => {
      await new Promise((r) => setTimeout(r, 10 - b.length));
      if (b[0] === 3) throw new Error('refused');
    });
    await expect(failing).rejects.toMatchObject({ message: 'refused', committed: 5 });
  });
});
