/**
 * Between tests (issue 20), against real servers with real clients: reset empties the tree as
 * the ensemble's super user — nodes another session locked with a digest ACL, live ephemerals
 * (counted), quota entries set with zkCli.sh — and kazoo, an independent client, sees what it
 * left; dump → reset → seed → dump gives the identical file; a bad seed file names file:line
 * and writes nothing; namespaces keep parallel tests apart; --connect (or $ZK_CONNECT) asks for --yes.
 */
import { createHash } from 'node:crypto';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { up, type Ensemble } from '../../src/index.js';
import { connect, type Session } from '../../src/edge/zkclient.js';
import { createSandbox, eventually, type Sandbox } from '../helpers/sandbox.js';

const OPEN = [{ scheme: 'world', id: 'anyone', perms: 31 }];
const digestOf = (user: string, password: string) => `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
const ALICE = { scheme: 'digest', id: digestOf('alice', 'secret'), perms: 31 };

/** Runs a kazoo script (Debian's python3-kazoo) with `zk` started on `hosts`; returns what it printed as JSON. */
async function kazoo(hosts: string, body: string): Promise<unknown> {
  const script = `import json\nfrom kazoo.client import KazooClient\nzk = KazooClient(hosts=${JSON.stringify(hosts)})\nzk.start(timeout=15)\nzk.sync('/')\n${body}\nzk.stop()\n`;
  const r = await execa('/usr/bin/python3', ['-c', script], { reject: false, timeout: 30_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** Every path under `root` (kazoo, no credentials: what anyone can list). */
const kazooTree = (hosts: string, root = '/') => kazoo(hosts, `
out = []
def walk(p):
    for c in sorted(zk.get_children(p)):
        q = (p.rstrip('/') + '/' + c)
        out.append(q)
        walk(q)
walk(${JSON.stringify(root)})
print(json.dumps(out))`) as Promise<string[]>;

describe('reset, dump, seed and namespaces, with real servers', () => {
  let sb: Sandbox;
  let zk: Ensemble;
  const sessions: Session[] = [];
  const session = async (connectString = zk.connectString, auth?: string) => {
    const s = await connect(connectString);
    if (auth) s.authenticate('digest', auth);
    sessions.push(s);
    return s;
  };
  const cli = (args: string[]) => sb.cli(args);
  const file = (name: string) => path.join(sb.root, name);

  beforeAll(async () => {
    sb = await createSandbox('tree');
    // TTL nodes need extendedTypesEnabled; a container is reaped within half a second, not a minute.
    sb.env.ZKPSEUDO_JVM_FLAGS = '-Dznode.container.checkIntervalMs=500';
    zk = await up({ servers: 3, ports: 'auto', zkVersion: sb.zkVersion, mirror: sb.mirrorUrl, env: sb.env, config: { extendedTypesEnabled: 'true' }, reuse: true }); // the default ensemble, which the CLI calls share
  });
  afterAll(async () => {
    for (const s of sessions) s.close();
    await zk?.down({ purge: true }).catch(() => undefined);
    await sb?.cleanup();
  });

  it('the super user: a 0600 secret in the ensemble dir, only its digest in zoo.cfg, nothing on any command line', async () => {
    const secretFile = path.join(zk.dir, 'super.secret');
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    const password = (await readFile(secretFile, 'utf8')).trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const digest = digestOf('super', password);
    for (const s of zk.servers) {
      const cfg = await readFile(path.join(zk.dir, `zookeeper-${s.id}`, 'conf', 'zoo.cfg'), 'utf8');
      expect(cfg).toContain(`DigestAuthenticationProvider.superDigest=${digest}\n`);
      expect(cfg).not.toContain(password);
    }
    for (const s of (await zk.status()).servers) {
      const cmdline = (await readFile(`/proc/${s.pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      expect(cmdline).toContain('QuorumPeerMain');
      expect(cmdline).not.toMatch(/superDigest|super\.secret/);
      expect(cmdline).not.toContain(password);
      expect(cmdline).not.toContain(digest.split(':')[1]);
    }
  });

  it('reset removes every znode: ACL-locked ones of another session, live ephemerals (counted) and quota entries; kazoo sees an empty tree', async () => {
    const plain = await session();
    const alice = await session(zk.connectString, 'alice:secret');
    const holder = await session();
    await plain.multi([
      { op: 'create', path: '/app', data: Buffer.from('x'), acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/bulk', data: null, acl: OPEN, kind: 'persistent' },
      ...Array.from({ length: 200 }, (_, i) => ({ op: 'create' as const, path: `/bulk/n${i}`, data: Buffer.from(String(i)), acl: OPEN, kind: 'persistent' as const })),
      { op: 'create', path: '/read-only', data: null, acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/read-only/child', data: null, acl: OPEN, kind: 'persistent' },
    ]);
    // READ only from now on: no ordinary client may delete its child (that takes DELETE on it).
    await plain.setAcl('/read-only', [{ scheme: 'world', id: 'anyone', perms: 1 }]);
    // Created by alice's session with an ACL only alice passes: no one else may even list it.
    await alice.multi([
      { op: 'create', path: '/secure', data: Buffer.from('alice only'), acl: [ALICE], kind: 'persistent' },
      { op: 'create', path: '/secure/inner', data: Buffer.from('deeper'), acl: [ALICE], kind: 'persistent' },
    ]);
    await holder.create('/eph-1', 'e', 1);
    await holder.create('/app/eph-2', 'e', 1);
    expect(await holder.create('/app/lock-', 'e', 3)).toBe('/app/lock-0000000001');
    for (const [flag, p] of [['-n', '/app'], ['-b', '/bulk']] as const) {
      const q = await cli(['cli', '--', 'setquota', flag, '100', p]);
      expect(q.exitCode, q.stderr).toBe(0);
    }
    expect(await kazooTree(zk.connectString, '/zookeeper/quota')).toEqual(expect.arrayContaining(['/zookeeper/quota/app/zookeeper_limits', '/zookeeper/quota/bulk/zookeeper_limits']));
    // An ordinary client cannot list /secure: that is what the super user is for.
    const blocked = await kazoo(zk.connectString, `
from kazoo.exceptions import NoAuthError
try:
    zk.get_children('/secure'); print(json.dumps('listed'))
except NoAuthError:
    print(json.dumps('no-auth'))`);
    expect(blocked).toBe('no-auth');

    const r = await cli(['reset', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    // /app, 3 ephemerals under and beside it, /bulk and its 200, /read-only and its child, /secure and its child.
    expect(result).toMatchObject({ name: 'default', deleted: 1 + 3 + 201 + 2 + 2, ephemerals: 3, quotas: 2, kept: [], restored: [] });
    expect(result.connectString).toBe(zk.connectString);

    // Checked independently: kazoo, without credentials, sees nothing but ZooKeeper's own tree.
    expect(await kazooTree(zk.connectString)).toEqual(['/zookeeper', '/zookeeper/config', '/zookeeper/quota']);
    // The holder's session lives on; its ephemeral nodes are gone (it may make them again).
    expect(await holder.exists('/eph-1')).toBeNull();
    expect(await holder.create('/eph-1', 'again', 1)).toBe('/eph-1');
    const human = await cli(['reset']);
    expect(human.stdout).toMatch(/^reset ensemble "default": removed 1 znode; 1 ephemeral node of live sessions among them \(their owners may create them again\) \(\d+ ms\)$/);
  });

  it('reset --keep keeps those subtrees, their ancestors and their quota entries; / gets its ACL and data back', async () => {
    const s = await session();
    for (const p of ['/k1', '/k1/a', '/k1/a/b', '/k1/x', '/other']) await s.create(p, p, 0);
    for (const p of ['/k1/a/b', '/other']) expect((await cli(['cli', '--', 'setquota', '-n', '5', p])).exitCode).toBe(0);
    await s.write('/', Buffer.from('scribbled'));
    await s.setAcl('/', [{ scheme: 'world', id: 'anyone', perms: 1 | 4 }]);
    const r = await zk.reset({ keep: ['/k1/a'] });
    expect(r).toMatchObject({ deleted: 2, ephemerals: 0, quotas: 1, kept: ['/k1/a'], restored: ['acl', 'data'] });
    expect(await kazooTree(zk.connectString)).toEqual([
      '/k1', '/k1/a', '/k1/a/b', '/zookeeper', '/zookeeper/config', '/zookeeper/quota',
      '/zookeeper/quota/k1', '/zookeeper/quota/k1/a', '/zookeeper/quota/k1/a/b', '/zookeeper/quota/k1/a/b/zookeeper_limits', '/zookeeper/quota/k1/a/b/zookeeper_stats',
    ]);
    expect(await s.acl('/')).toEqual(OPEN);
    expect((await s.read('/')).data).toEqual(Buffer.alloc(0));
    // A later reset without --keep takes them too.
    expect(await zk.reset()).toMatchObject({ deleted: 3, quotas: 1 });
    expect(await kazooTree(zk.connectString)).toEqual(['/zookeeper', '/zookeeper/config', '/zookeeper/quota']);
    expect((await cli(['reset', '--keep', 'relative'])).stderr).toMatch(/--keep: "relative" must start with \//);
  });

  it('dump → reset → seed → dump gives the identical file (text, binary, empty and no data, ACLs, sequential names, deep paths)', async () => {
    const s = await session();
    const alice = await session(zk.connectString, 'alice:secret');
    await s.multi([
      { op: 'create', path: '/app', data: Buffer.from('hello'), acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/app/config.json', data: Buffer.from('{\n  "retries": 3,\n  "name": "zkpseudo ✓"\n}\n'), acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/app/bin', data: Buffer.from(Array.from({ length: 256 }, (_, i) => i)), acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/app/empty', data: Buffer.alloc(0), acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/app/none', data: null, acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/app/local', data: Buffer.from('127 only'), acl: [{ scheme: 'ip', id: '127.0.0.1', perms: 1 | 2 }, { scheme: 'world', id: 'anyone', perms: 1 }], kind: 'persistent' },
      { op: 'create', path: '/app/queue', data: null, acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/a', data: null, acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/a/b', data: null, acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/a/b/c', data: null, acl: OPEN, kind: 'persistent' },
      { op: 'create', path: '/a/b/c/d: with colon', data: Buffer.from('- looks like a list'), acl: OPEN, kind: 'persistent' },
    ]);
    for (let i = 0; i < 3; i++) await s.create('/app/queue/job-', `job ${i}`, 2);
    await s.remove('/app/queue/job-0000000000');
    await alice.multi([
      { op: 'create', path: '/app/secret', data: Buffer.from('alice only'), acl: [ALICE], kind: 'persistent' },
      { op: 'create', path: '/app/secret/inner', data: null, acl: [ALICE, { scheme: 'world', id: 'anyone', perms: 1 }], kind: 'persistent' },
    ]);
    // And some made by kazoo, an independent client.
    await kazoo(zk.connectString, `zk.create('/kz', b'from kazoo')\nzk.create('/kz/child', b'')\nprint(json.dumps(1))`);

    const first = await cli(['dump', '--output', file('tree-1.yaml')]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/wrote 17 znodes of \/ to .*tree-1\.yaml/);
    const text = await readFile(file('tree-1.yaml'), 'utf8');
    expect(text).toContain('/app/queue/job-0000000001:\n  data: job 1\n  sequential: true\n');
    expect(text).toContain(`/app/secret:\n  data: alice only\n  acl:\n    - digest:${ALICE.id}:cdrwa\n`);
    expect(text).toContain('/app/none: {}\n/app/queue: {}\n');
    expect(text).toContain('/app/empty: ""\n');
    expect(text).toMatch(/\/app\/bin:\n {2}base64: AAECAwQF/);
    expect(await zk.dump()).toBe(text);

    expect((await cli(['reset', '-q'])).exitCode).toBe(0);
    const seeded = await cli(['seed', file('tree-1.yaml'), '--json']);
    expect(seeded.exitCode, seeded.stderr).toBe(0);
    expect(JSON.parse(seeded.stdout)).toMatchObject({ name: 'default', created: 17, ancestors: [], replaced: [], skippedEphemerals: [] });
    expect((await cli(['dump', '-o', file('tree-2.yaml')])).exitCode).toBe(0);
    expect(await readFile(file('tree-2.yaml'), 'utf8')).toBe(text);

    // Nothing in the file's ACLs was loosened on the way: kazoo, without alice, still cannot read it.
    expect(await kazoo(zk.connectString, `
from kazoo.exceptions import NoAuthError
try:
    zk.get('/app/secret'); print(json.dumps('read'))
except NoAuthError:
    print(json.dumps('no-auth'))`)).toBe('no-auth');
    expect((await alice.read('/app/secret')).data!.toString()).toBe('alice only');

    // A subtree, and --json for scripts.
    const sub = await cli(['dump', '/app/queue', '--json']);
    expect(JSON.parse(sub.stdout)).toEqual({
      name: 'default', connectString: zk.connectString, path: '/app/queue', count: 3,
      nodes: [
        { path: '/app/queue', acl: ['world:anyone:cdrwa'], kind: 'persistent', sequential: false },
        { path: '/app/queue/job-0000000001', data: 'job 1', acl: ['world:anyone:cdrwa'], kind: 'persistent', sequential: true },
        { path: '/app/queue/job-0000000002', data: 'job 2', acl: ['world:anyone:cdrwa'], kind: 'persistent', sequential: true },
      ],
    });
    expect((await cli(['dump', '/nothing-here'])).stderr).toMatch(/there is no znode \/nothing-here on ensemble "default"/);
  });

  it('a dump notes ephemeral nodes; seed leaves them out and says so', async () => {
    await zk.reset();
    const holder = await session();
    await holder.create('/e', 'parent', 0);
    await holder.create('/e/eph', 'mine', 1);
    const dumped = await zk.dump('/e');
    expect(dumped).toContain('/e/eph:\n  data: mine\n  ephemeral: true\n');
    await zk.reset();
    await writeFile(file('eph.yaml'), dumped);
    const r = await cli(['seed', file('eph.yaml')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/created 1 znode from .*eph\.yaml in ensemble "default"; skipped 1 ephemeral node \(one would end with seed's own session\)/);
  });

  it('a bad seed file is refused with file:line (exit 64) and nothing is written, by seed and by up --seed', async () => {
    await zk.reset();
    await writeFile(file('bad.yaml'), '/fine: yes\n/fine/too: yes\n/broken:\n  acl: [world:anyone:xyz]\n/also-fine: ok\n');
    const r = await cli(['seed', file('bad.yaml')]);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toContain(`error: ${file('bad.yaml')}:4: /broken: acl: "world:anyone:xyz": "x" is not a permission (use the letters c d r w a).`);
    expect(r.stderr).toMatch(/hint: Nothing was written\./);
    const viaUp = await cli(['up', '--seed', file('bad.yaml')]);
    expect(viaUp.exitCode).toBe(64);
    expect(viaUp.stderr).toContain(`${file('bad.yaml')}:4: /broken`);
    expect(await kazooTree(zk.connectString)).toEqual(['/zookeeper', '/zookeeper/config', '/zookeeper/quota']);
  });

  it('a path that exists is an error, nothing written; --replace replaces those subtrees', async () => {
    await zk.reset();
    await writeFile(file('fixture.yaml'), '/svc: v1\n/svc/a: one\n/svc/b: two\n/deep/down/here: leaf\n');
    const first = await cli(['seed', file('fixture.yaml')]);
    expect(first.stdout).toMatch(/created 6 znodes .* 2 missing ancestors among them \(\/deep, \/deep\/down\)/);
    const s = await session();
    await s.write('/svc/a', Buffer.from('changed'));
    await s.create('/svc/extra', 'not in the file', 0);
    const again = await cli(['seed', file('fixture.yaml')]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/error: seed: 4 of the tree's paths exist on ensemble "default" already \(\/deep\/down\/here, \/svc, \/svc\/a, \/svc\/b\); nothing was written\./);
    expect((await s.read('/svc/a')).data!.toString()).toBe('changed');
    const replaced = await cli(['seed', file('fixture.yaml'), '--replace', '--json']);
    expect(replaced.exitCode, replaced.stderr).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ created: 4, replaced: ['/deep/down/here', '/svc'] });
    expect((await s.read('/svc/a')).data!.toString()).toBe('one');
    expect(await s.exists('/svc/extra')).toBeNull();
  });

  it('seed makes container and TTL nodes that the servers reap as such', async () => {
    await zk.reset();
    const r = await zk.seed({ '/box': { container: true }, '/box/item': 'x', '/short-lived': { ttl: 500, data: 'gone soon' }, '/plain': {} });
    expect(r).toMatchObject({ created: 4 });
    const s = await session();
    await s.remove('/box/item');
    expect(await eventually(async () => (await s.exists('/box')) === null, 20_000), 'the empty container is reaped').toBe(true);
    expect(await eventually(async () => (await s.exists('/short-lived')) === null, 20_000), 'the TTL node expires').toBe(true);
    expect(await s.exists('/plain')).not.toBeNull();
  });

  it('namespaces: parallel tests see nothing of each other; close() and `await using` remove them; reset takes them too', async () => {
    await zk.reset();
    const [ns1, ns2] = await Promise.all([zk.namespace(), zk.namespace('orders')]);
    expect(ns1.path).toMatch(/^\/ns-[0-9a-f]{12}$/);
    expect(ns2.path).toMatch(/^\/orders-[0-9a-f]{12}$/);
    expect(ns1.connectString).toBe(`${zk.connectString}${ns1.path}`);
    const [c1, c2] = await Promise.all([session(ns1.connectString), session(ns2.connectString)]);
    await Promise.all([c1.create('/x', 'one', 0), c2.create('/x', 'two', 0)]);
    await Promise.all([c1.create('/x/y', '', 0), c2.create('/x/z', '', 0)]);
    expect((await c1.children('/')).names).toEqual(['x']);
    expect((await c1.children('/x')).names).toEqual(['y']);
    expect((await c2.children('/x')).names).toEqual(['z']);
    expect((await c2.read('/x')).data!.toString()).toBe('two');
    // kazoo, given the namespace's connect string, sees the same chroot.
    expect(await kazooTree(ns1.connectString)).toEqual(['/x', '/x/y']);
    expect(await kazooTree(zk.connectString)).toEqual(expect.arrayContaining([ns1.path, `${ns1.path}/x/y`, ns2.path, `${ns2.path}/x/z`]));

    await c1.create('/x/held', 'ephemeral', 1);
    await ns1.close();
    await ns1.close();
    const root = await session();
    expect(await root.exists(ns1.path)).toBeNull();
    expect((await c2.children('/x')).names).toEqual(['z']);

    let inside = '';
    {
      await using ns = await zk.namespace('using');
      inside = ns.path;
      const c = await session(ns.connectString);
      await c.create('/made-here', 'x', 0);
      expect(await root.exists(`${inside}/made-here`)).not.toBeNull();
    }
    expect(await root.exists(inside)).toBeNull();

    expect((await zk.reset()).deleted).toBe(3);
    await ns2.close();
    await expect(zk.namespace('no/slash')).rejects.toThrow(/not a usable prefix/);
  });

  it('--connect: reset and seed refuse without --yes; with it they act as an ordinary client; dump needs no --yes', async () => {
    await zk.reset();
    const s = await session();
    await s.create('/c-test', 'x', 0);
    const at = `127.0.0.1:${zk.servers[0]!.clientPort}`;
    const refused = await cli(['reset', '--connect', at]);
    expect(refused.exitCode).toBe(64);
    expect(refused.stderr).toMatch(/reset --connect would change the ensemble at 127\.0\.0\.1:\d+, which is not one zkpseudo made here; it needs --yes/);
    await writeFile(file('c.yaml'), '/c-seeded: yes\n');
    expect((await cli(['seed', file('c.yaml'), '--connect', at])).exitCode).toBe(64);
    expect(await s.exists('/c-test')).not.toBeNull();
    expect(await s.exists('/c-seeded')).toBeNull();
    expect((await cli(['reset', '--connect', at, '--name', 'x', '--yes'])).stderr).toMatch(/--connect and --name both say which ensemble to use/);

    const dumped = await cli(['dump', '--connect', at, '--json']);
    expect(JSON.parse(dumped.stdout)).toMatchObject({ connectString: at, count: 1 });
    // --connect alone reads $ZK_CONNECT, as for status, wait and check; a path after it stays the path.
    const fromEnv = await sb.cli(['dump', '--connect', '/c-test', '--json'], { env: { ZK_CONNECT: at } });
    expect(JSON.parse(fromEnv.stdout), fromEnv.stderr).toMatchObject({ connectString: at, path: '/c-test', count: 1 });
    expect((await sb.cli(['reset', '--connect'], { env: { ZK_CONNECT: at } })).stderr).toMatch(/reset --connect would change the ensemble at 127\.0\.0\.1:\d+, which is not one zkpseudo made here; it needs --yes/);
    expect((await cli(['seed', file('c.yaml'), '--connect', at, '--yes'])).exitCode).toBe(0);
    expect((await cli(['reset', '--connect', at, '--yes'])).exitCode).toBe(0);
    expect(await kazooTree(zk.connectString)).toEqual(['/zookeeper', '/zookeeper/config', '/zookeeper/quota']);

    // As an ordinary client, a node locked by someone else stays; the error says what and why.
    const alice = await session(zk.connectString, 'alice:secret');
    await alice.multi([{ op: 'create', path: '/locked', data: null, acl: [ALICE], kind: 'persistent' }, { op: 'create', path: '/locked/in', data: null, acl: [ALICE], kind: 'persistent' }]);
    const partial = await cli(['reset', '--connect', at, '--yes']);
    expect(partial.exitCode).toBe(2);
    expect(partial.stderr).toMatch(/error: reset of the ensemble at 127\.0\.0\.1:\d+ left 1 znode in place: \/locked \(NO_AUTH\)\./);
    expect(partial.stderr).toMatch(/hint: Their ACLs forbid this client: with --connect zkpseudo acts as an ordinary client, without a super user\./);
    expect((await cli(['reset', '--connect', 'no host:1', '--yes'])).exitCode).toBe(64);
    expect((await cli(['reset', '--name', 'nope'])).exitCode).toBe(3);
  });

  it('up --seed creates the tree once the quorum is healthy (here: the running ensemble, resumed)', async () => {
    await zk.reset();
    await writeFile(file('up-seed.yaml'), '/from-up: seeded\n/from-up/child: {}\n');
    const r = await cli(['up', '--seed', file('up-seed.yaml'), '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: false, seed: { created: 2 } });
    expect(await kazooTree(zk.connectString, '/from-up')).toEqual(['/from-up/child']);
    expect((await cli(['up', '--seed', file('up-seed.yaml'), '--no-wait'])).stderr).toMatch(/--seed needs a serving quorum/);
  });

  it('an ensemble without a super-user secret gets one on its next start, and reset can then pass every ACL', async () => {
    await zk.reset();
    await unlink(path.join(zk.dir, 'super.secret'));
    const alice = await session(zk.connectString, 'alice:secret');
    await alice.multi([{ op: 'create', path: '/old-lock', data: null, acl: [ALICE], kind: 'persistent' }, { op: 'create', path: '/old-lock/in', data: null, acl: [ALICE], kind: 'persistent' }]);
    const before = await cli(['reset']);
    expect(before.exitCode).toBe(2);
    expect(before.stderr).toMatch(/hint: Their ACLs forbid this client: it has no super-user secret; `zkpseudo restart all --name default` makes one/);
    expect((await cli(['restart', 'all', '--wait'])).exitCode).toBe(0);
    expect((await stat(path.join(zk.dir, 'super.secret'))).mode & 0o777).toBe(0o600);
    expect(await zk.reset()).toMatchObject({ deleted: 2 });
  });
});
