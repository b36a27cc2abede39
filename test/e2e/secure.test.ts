/**
 * Secured ensembles with real servers and real clients (issue 21): one ensemble per mode —
 * --tls with fault proxies, --tls-only --sasl, --sasl, and --tls --sasl from Apache's own
 * layout — each checked by zkpseudo's own status/check/cli, by zkCli.sh, and by kazoo; and
 * every refusal (no certificate, a foreign one, plaintext on the TLS port, no SASL, a wrong
 * password, a plaintext peer) named, not timed out — on the installed release (3.8). Then the
 * same essentials on a real 3.9.3 build (test/helpers/releases.ts): one --tls-only --sasl
 * ensemble, where FIPS mode (on by default from 3.9) must be off on servers and Java clients.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up, type Ensemble } from '../../src/index.js';
import { connect } from '../../src/edge/zkwire/session.js';
import { sendFourLetterWord } from '../../src/edge/fourlw.js';
import { explainClientFailure } from '../../src/ensemble/security/diagnose.js';
import { createAuthority, loadAuthority } from '../../src/ensemble/security/certs.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { readSpec } from '../../src/ensemble/store/spec-file.js';
import { settleLaunch } from '../../src/ensemble/lifecycle/confirm.js';
import { askServer, fourLetterTls, openSession } from '../../src/ensemble/security/client.js';
import { createSandbox, requireZooKeeper, type Sandbox } from '../helpers/sandbox.js';
import { releasesMirror } from '../helpers/releases.js';
import { startDistMirror, type Mirror } from '../helpers/mirror.js';

const PY = '/usr/bin/python3';
/** The releases this file runs against; the system's is always there. */
const VERSIONS = [requireZooKeeper().zkVersion];

/** `zkpseudo env --json` of an ensemble. */
async function envOf(sb: Sandbox, name: string): Promise<Record<string, string>> {
  const r = await sb.cli(['env', '--json', '--name', name]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** Runs a kazoo script with the ensemble's env variables; returns its exit code and output. */
async function kazoo(env: Record<string, string>, body: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const script = `import os, sys\nfrom kazoo.client import KazooClient\nE = os.environ\n${body}\n`;
  const r = await execa(PY, ['-c', script], { env: { ...process.env, ...env }, reject: false, timeout: 40_000 });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const KAZOO_TLS = "use_ssl=True, certfile=E['ZK_TLS_CERT'], keyfile=E['ZK_TLS_KEY'], ca=E['ZK_TLS_CA'], verify_certs=True";
const KAZOO_SASL = "sasl_options={'mechanism': 'DIGEST-MD5', 'username': E['ZK_SASL_USER'], 'password': E['ZK_SASL_PASSWORD']}";

/**
 * On a --tls-only --sasl ensemble: a plaintext client, a TLS client that skips SASL and one with
 * a wrong password are each refused, and the reason is read from server 1's own log.
 */
async function expectClientRefusalsNamed(zk: Ensemble, name: string, env: Record<string, string>): Promise<void> {
  const paths = ensemblePaths(zk.home, name);
  const spec = await readSpec(paths);
  const m = spec.members[0]!;
  const explained = async (attempt: () => Promise<unknown>) => {
    const since = Date.now() - 1000;
    const err = await attempt().then(() => new Error('connected'), (e: unknown) => e);
    return ((await explainClientFailure(paths, spec, m, err, since)) as Error).message;
  };
  const tls = { ca: await readFile(env.ZK_TLS_CA!), cert: await readFile(env.ZK_TLS_CERT!), key: await readFile(env.ZK_TLS_KEY!) };
  expect(await explained(() => connect({ port: m.ports.client }))).toMatch(/log says: a client sent plaintext to the TLS port/);
  expect(await explained(async () => (await connect({ port: m.ports.client, tls })).getChildren('/'))).toMatch(/SESSIONCLOSEDREQUIRESASLAUTH.*log says: the client did not authenticate with \[sasl\]/);
  expect(await explained(() => connect({ port: m.ports.client, tls, sasl: { user: 'app', password: 'not-the-password' } }))).toMatch(/SASL authentication as "app" failed.*log says: SASL authentication failed: the password is wrong/);
}

/** Every process's command line, as `ps` would show it. */
function allCommandLines(): string {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((p) => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; } }).join('\n');
}

/** The text of every log file of an ensemble's servers. */
function allLogs(dir: string): string {
  return readdirSync(dir).filter((d) => /^zookeeper-\d+$/.test(d)).flatMap((d) => {
    const logs = path.join(dir, d, 'logs');
    return readdirSync(logs).map((f) => readFileSync(path.join(logs, f), 'utf8'));
  }).join('\n');
}

describe.each(VERSIONS)('secured ensembles, ZooKeeper %s', (zkVersion) => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('secure'); });
  afterAll(async () => { await sb?.cleanup(); });

  describe('--tls with fault proxies', () => {
    let zk: Ensemble;
    let env: Record<string, string>;
    beforeAll(async () => {
      zk = await up({ name: 'tls', servers: 3, ports: 'auto', tls: true, faults: true, zkVersion, mirror: sb.mirrorUrl, env: sb.env });
      env = await envOf(sb, 'tls');
    });
    afterAll(async () => { await zk?.down({ purge: true }).catch(() => undefined); });

    it('the quorum speaks TLS: every server says so, and its keys are 0600 under security/', async () => {
      const logs = allLogs(zk.dir);
      expect(logs.match(/Using TLS encrypted quorum communication/g)?.length).toBeGreaterThanOrEqual(3);
      expect(logs).toMatch(/SSL handshake complete with \/127\.0\.0\.1:\d+ - TLSv1\.[23]/);
      const security = path.join(zk.dir, 'security');
      for (const f of ['ca-key.pem', 'server-1.pem', 'client-key.pem', 'client.pem', 'truststore.password', 'zkclient.properties']) {
        const { stat } = await import('node:fs/promises');
        expect(((await stat(path.join(security, f))).mode & 0o777).toString(8), f).toBe('600');
      }
      expect(readFileSync(path.join(zk.dir, 'zookeeper-1', 'conf', 'zoo.cfg'), 'utf8')).toMatch(/^sslQuorum=true$/m);
    });

    it('status, check and env work; check goes over TLS through the proxies', async () => {
      expect((await sb.cli(['status', '--name', 'tls'])).exitCode).toBe(0);
      const check = await sb.cli(['check', '--name', 'tls']);
      expect(check.exitCode, check.stderr + check.stdout).toBe(0);
      expect(check.stdout).toMatch(/connect to server 3: session 0x[0-9a-f]+ on port \d+ over TLS/);
      expect(env.ZK_SECURE_CONNECT).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      expect(env.ZK_SECURE_CONNECT).not.toBe(env.ZK_CONNECT);
      // The library hands out the same settings.
      expect(zk.secureConnectString).toBe(env.ZK_SECURE_CONNECT);
      expect(await zk.clientSettings()).toMatchObject({ ZK_TLS_CA: env.ZK_TLS_CA, ZK_TLS_TRUSTSTORE_PASSWORD: env.ZK_TLS_TRUSTSTORE_PASSWORD });
      const json = JSON.parse((await sb.cli(['status', '--json', '--name', 'tls'])).stdout);
      expect(typeof json.servers[0].secureClientPort).toBe('number');
      expect(json.servers[0].secureClientPort).not.toBe(json.servers[0].clientPort);
    });

    it('reset, seed and dump work on it (their client uses the plain port beside the TLS one)', async () => {
      const file = path.join(sb.root, 'tls-seed.yaml');
      await writeFile(file, '/app: hello\n/app/child: {}\n');
      const seed = await sb.cli(['seed', file, '--name', 'tls']);
      expect(seed.exitCode, seed.stderr).toBe(0);
      expect((await sb.cli(['dump', '/app', '--name', 'tls'])).stdout).toMatch(/\/app\/child/);
      const reset = await sb.cli(['reset', '--name', 'tls']);
      expect(reset.exitCode, reset.stderr).toBe(0);
      expect((await sb.cli(['dump', '--name', 'tls'])).stdout).not.toMatch(/\/app/);
    });

    it('zkCli.sh over TLS (zkpseudo cli), and kazoo with use_ssl on the secure connect string', async () => {
      const created = await sb.cli(['--name', 'tls', 'cli', '1', 'create', '/via-zkcli', 'over-tls']);
      expect(created.exitCode, created.stderr).toBe(0);
      const r = await kazoo(env, `zk = KazooClient(hosts=E['ZK_SECURE_CONNECT'], ${KAZOO_TLS})\nzk.start(timeout=15)\nprint(zk.get('/via-zkcli')[0].decode())\nzk.stop()`);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('over-tls');
    });

    it('TLS passes through the fault proxies: isolate-clients cuts TLS clients too, heal restores them', async () => {
      const spec = await readSpec(ensemblePaths(zk.home, 'tls'));
      const port = Number(env.ZK_SECURE_SERVER_1!.split(':')[1]);
      expect(port).toBe(spec.faults!.secureClients!['1']);
      const tls = { ca: await readFile(env.ZK_TLS_CA!), cert: await readFile(env.ZK_TLS_CERT!), key: await readFile(env.ZK_TLS_KEY!) };
      await zk.isolateClients(1);
      await expect(connect({ port, tls, connectTimeoutMs: 2000 })).rejects.toThrow(/closed the connection|TLS handshake/);
      await zk.heal();
      const s = await connect({ port, tls });
      expect(s.secure).toBe(true);
      await s.close();
    });

    it('a client without a certificate, or with one from another CA, is refused with the server\'s reason', async () => {
      const paths = ensemblePaths(zk.home, 'tls');
      const spec = await readSpec(paths);
      const m = spec.members[0]!;
      const ca = await readFile(env.ZK_TLS_CA!);
      const since = Date.now() - 1000;
      const bare = await connect({ port: m.ports.secureClient!, tls: { ca } }).then(() => undefined, (e: unknown) => e);
      const named = (await explainClientFailure(paths, spec, m, bare, since)) as Error;
      expect(named.message).toMatch(/refused this client's certificate.*server 1's log says: the client presented no certificate, and the server requires one/);
      // `zkpseudo check` with a client certificate from another CA: the check fails naming why.
      const other = await (await createAuthority('another CA')).issue('stranger');
      await copyFile(env.ZK_TLS_CERT!, `${env.ZK_TLS_CERT}.keep`);
      await copyFile(env.ZK_TLS_KEY!, `${env.ZK_TLS_KEY}.keep`);
      try {
        await writeFile(env.ZK_TLS_CERT!, other.cert);
        await writeFile(env.ZK_TLS_KEY!, other.key);
        const check = await sb.cli(['check', '--name', 'tls']);
        expect(check.exitCode).toBe(2);
        expect(check.stdout + check.stderr).toMatch(/log says: a certificate is not signed by the CA the server trusts/);
      } finally {
        await copyFile(`${env.ZK_TLS_CERT}.keep`, env.ZK_TLS_CERT!);
        await copyFile(`${env.ZK_TLS_KEY}.keep`, env.ZK_TLS_KEY!);
      }
    });

    it('a plaintext peer cannot join: server 3 started without quorum TLS stays out, and the others say why', async () => {
      const paths = ensemblePaths(zk.home, 'tls');
      const sp = paths.server(3);
      await zk.stop(3);
      const plainCfg = path.join(sp.confDir, 'zoo-plain-peer.cfg');
      const cfg = readFileSync(sp.config, 'utf8').split('\n').filter((l) => !/^(sslQuorum|ssl\.quorum\.)/.test(l)).join('\n');
      await writeFile(plainCfg, cfg);
      const env3 = { ...sb.env, ZOOCFGDIR: sp.confDir, ZOO_LOG_DIR: sp.logsDir, ZOOPIDFILE: path.join(sp.dataDir, 'plain-peer.pid'), JMXDISABLE: 'true', SERVER_JVMFLAGS: '-Xmx128m', CLASSPATH: '', JVMFLAGS: '' };
      await execa(path.join(sp.bin, 'zkServer.sh'), ['start', plainCfg], { env: env3, cwd: sp.root });
      const pid = Number(readFileSync(env3.ZOOPIDFILE, 'utf8').trim());
      try {
        await new Promise((r) => setTimeout(r, 6000));
        const srvr = await sendFourLetterWord(zk.servers[2]!.clientPort, 'srvr', 2000).catch((e: Error) => e.message);
        expect(srvr).toMatch(/not currently serving/);
        const leader = (await zk.status()).servers.find((s) => s.role === 'leader');
        expect(leader, 'servers 1 and 2 keep their quorum').toBeDefined();
        const logs = [1, 2].map((id) => readdirSync(paths.server(id).logsDir).map((f) => readFileSync(path.join(paths.server(id).logsDir, f), 'utf8')).join('\n')).join('\n');
        expect(logs).toMatch(/Unsupported or unrecognized SSL message|not an SSL\/TLS record|SSLHandshakeException/);
      } finally {
        process.kill(pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 500));
      }
      await zk.start(3);
      expect((await zk.waitFor('healthy', { timeout: '40s' })).health.state).toBe('healthy');
    });

    it('a server with an expired certificate: up fails at once naming the file; the way out it names (new keys) brings the ensemble back with its data', async () => {
      const store = path.join(zk.dir, 'security', 'server-3.pem');
      await zk.stop(3);
      const ca = await loadAuthority(await readFile(path.join(zk.dir, 'security', 'ca.pem'), 'utf8'), await readFile(path.join(zk.dir, 'security', 'ca-key.pem'), 'utf8'));
      const expired = await ca.issue('server 3, expired', { notBefore: new Date(Date.now() - 2 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
      await writeFile(store, `${expired.key}${expired.cert}${ca.cert}`);
      const started = Date.now();
      const r = await sb.cli(['up', '--name', 'tls', '--timeout', '60s']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`Server 3 of ensemble "tls" cannot start securely: ${store}: its certificate expired on `);
      expect(r.stderr).toMatch(/Make new keys and certificates \(the data is kept\)/);
      // Checked before the JVM starts: no handshake to wait for, no log to read.
      expect(Date.now() - started).toBeLessThan(15_000);
      // The way out: down, security/ aside, up — new keys everywhere, the data still there.
      await sb.cli(['--name', 'tls', 'cli', '1', 'create', '/kept', 'through-new-keys']);
      expect((await sb.cli(['down', '--name', 'tls'])).exitCode).toBe(0);
      await rename(path.join(zk.dir, 'security'), path.join(sb.root, 'tls-security-old'));
      const again = await sb.cli(['up', '--name', 'tls', '--timeout', '60s']);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stdout + again.stderr).toMatch(/its security\/ files were missing; made new keys and users/);
      const got = await sb.cli(['--name', 'tls', 'cli', '2', 'get', '/kept']);
      expect(got.stdout).toMatch(/^through-new-keys$/m);
    });

    it('chaos runs on it (kills, pauses, partitions through the proxies) and leaves it whole; check still passes', async () => {
      const chaos = await sb.cli(['chaos', '--seed', '7', '--duration', '4s', '--interval', '2s', '--name', 'tls'], { timeout: 60_000 });
      expect(chaos.exitCode, chaos.stderr).toBe(0);
      expect((await sb.cli(['wait', 'healthy', '--timeout', '40s', '--name', 'tls'])).exitCode).toBe(0);
      expect((await sb.cli(['check', '--name', 'tls'])).exitCode).toBe(0);
    });
  });

  describe('--tls-only --sasl', () => {
    let zk: Ensemble;
    let env: Record<string, string>;
    beforeAll(async () => {
      zk = await up({ name: 'only', servers: 3, ports: 'auto', tlsOnly: true, sasl: true, zkVersion, mirror: sb.mirrorUrl, env: sb.env });
      env = await envOf(sb, 'only');
    });
    afterAll(async () => { await zk?.down({ purge: true }).catch(() => undefined); });

    it('status speaks four-letter words over TLS; wait and check work; the quorum authenticates with SASL', async () => {
      const status = await sb.cli(['status', '--json', '--name', 'only']);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).servers.map((s: { role: string }) => s.role).sort()).toEqual(['follower', 'follower', 'leader']);
      expect((await sb.cli(['wait', 'healthy', '--timeout', '20s', '--name', 'only'])).exitCode).toBe(0);
      const check = await sb.cli(['check', '--name', 'only']);
      expect(check.exitCode, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toMatch(/over TLS, SASL user "app"/);
      expect(allLogs(zk.dir)).toMatch(/Successfully completed the authentication using SASL/);
      expect(env.ZK_SECURE_CONNECT).toBe(env.ZK_CONNECT);
    });

    it('--connect with --tls and --sasl (credentials from the variables `zkpseudo env` prints): status, wait, check, dump and seed as on any other ensemble', async () => {
      const cs = env.ZK_SECURE_CONNECT!;
      const remote = (args: string[]) => sb.cli([...args, '--connect', cs, '--tls', '--sasl'], { env, timeout: 60_000 });
      const status = await remote(['status', '--json']);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ connectString: cs, health: { state: 'healthy' } });
      expect(JSON.parse(status.stdout).servers.map((x: { role: string }) => x.role).sort()).toEqual(['follower', 'follower', 'leader']);
      expect((await remote(['wait', 'healthy', '--timeout', '20s'])).exitCode).toBe(0);
      const check = await remote(['check']);
      expect(check.exitCode, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toMatch(/over TLS, SASL user "app"/);
      const file = path.join(sb.root, 'remote-seed.yaml');
      await writeFile(file, '/remote: over TLS and SASL\n');
      expect((await remote(['seed', file, '--yes'])).exitCode).toBe(0);
      const dump = await remote(['dump', '/remote']);
      expect(dump.exitCode, dump.stderr).toBe(0);
      expect(dump.stdout).toMatch(/^\/remote: over TLS and SASL$/m);
      // Without --tls the TLS port says nothing, and status says what to add; without the CA, a usage error.
      const plain = await sb.cli(['status', '--connect', cs], { env });
      expect(plain.exitCode).toBe(2);
      expect(plain.stdout).toMatch(/closed the connection without an answer \(a TLS port\? then add --tls\)/);
      const noCa = await sb.cli(['status', '--connect', cs, '--tls'], { env: { ...env, ZK_TLS_CA: '' } });
      expect(noCa.exitCode).toBe(64);
      expect(noCa.stderr).toMatch(/--tls needs \$ZK_TLS_CA/);
      // A wrong password: check fails naming the SASL failure, not a timeout.
      const wrong = await sb.cli(['check', '--connect', cs, '--tls', '--sasl'], { env: { ...env, ZK_SASL_PASSWORD: 'not-the-password' }, timeout: 60_000 });
      expect(wrong.exitCode).toBe(2);
      expect(wrong.stdout + wrong.stderr).toMatch(/SASL authentication as "app" failed/);
    });

    it('each launch is confirmed over TLS: the start probe has its answer on the TLS-only client port (a plain word gets none), so a restart does not wait out the probe', async () => {
      const paths = ensemblePaths(zk.home, 'only');
      const spec = await readSpec(paths);
      const member = spec.members[1]!;
      // In plain text the TLS-only port says nothing (Netty closes it); over TLS it answers.
      expect(await sendFourLetterWord(member.ports.client, 'srvr', 1000).catch(() => '')).toBe('');
      expect(await askServer(spec, member, 'srvr', 2000, await fourLetterTls(paths, spec))).toMatch(/^Mode: (leader|follower)$/m);
      expect(await settleLaunch(paths, spec, member, { detached: false }, 5_000)).toBe('answers');
      // restart goes through startOne and settleLaunch; a probe that got no answer would hold it 20 s.
      const started = Date.now();
      const r = await sb.cli(['restart', '2', '--name', 'only']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect((await sb.cli(['wait', 'healthy', '--timeout', '40s', '--name', 'only'])).exitCode).toBe(0);
    });

    it('reset, dump and seed work on it through zkpseudo\'s own client (TLS, SASL), as the super user: a node another client locked goes too', async () => {
      const alice = `alice:${createHash('sha1').update('alice:secret').digest('base64')}`;
      const file = path.join(sb.root, 'only-seed.yaml');
      await writeFile(file, `/app: hello\n/app/box:\n  container: true\n/app/box/item: x\n/app/locked:\n  data: secret\n  acl: [digest:${alice}:cdrwa]\n`);
      const seed = await sb.cli(['seed', file, '--name', 'only'], { timeout: 30_000 });
      expect(seed.exitCode, seed.stderr).toBe(0);
      // Another client — the application's SASL user, over TLS — locks a node of its own.
      const paths = ensemblePaths(zk.home, 'only');
      const spec = await readSpec(paths);
      const app = await openSession(paths, spec, spec.members[0]!);
      try {
        await app.create('/theirs', 'private', { acl: [{ perms: 31, scheme: 'digest', id: alice }] });
        expect(await app.getData('/theirs').then(() => 'read', (e: { codeName?: string }) => e.codeName)).toBe('NOAUTH');
      } finally {
        await app.close();
      }
      // The super user's digest credential is taken beside SASL: the dump reads both locked nodes. (A
      // container reads back as persistent: servers show clients no owner for container and TTL nodes.)
      const dump = await sb.cli(['dump', '--name', 'only'], { timeout: 30_000 });
      expect(dump.exitCode, dump.stderr).toBe(0);
      for (const seen of [/^\/app: hello$/m, /^\/app\/box: /m, /^\/app\/box\/item: x$/m, /^\/app\/locked:$/m, /^\/theirs:$/m, /private/]) expect(dump.stdout).toMatch(seen);
      const reset = await sb.cli(['reset', '--name', 'only'], { timeout: 30_000 });
      expect(reset.exitCode, reset.stderr).toBe(0);
      expect((await sb.cli(['dump', '--name', 'only'])).stdout).not.toMatch(/\/app|\/theirs/);
      const after = await openSession(paths, spec, spec.members[1]!);
      try {
        await after.sync('/');
        expect(await after.getChildren('/')).toEqual(['zookeeper']);
      } finally {
        await after.close();
      }
    });

    it('zkCli.sh (TLS and SASL, set up by zkpseudo cli) and kazoo with use_ssl and sasl_options', async () => {
      const created = await sb.cli(['--name', 'only', 'cli', '2', 'create', '/both', 'tls+sasl']);
      expect(created.exitCode, created.stderr).toBe(0);
      const whoami = await sb.cli(['--name', 'only', 'cli', '--', 'get', '/both']);
      expect(whoami.stdout).toMatch(/^tls\+sasl$/m);
      const r = await kazoo(env, `zk = KazooClient(hosts=E['ZK_SECURE_CONNECT'], ${KAZOO_TLS}, ${KAZOO_SASL})\nzk.start(timeout=15)\nprint(zk.get('/both')[0].decode())\nzk.stop()`);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('tls+sasl');
    });

    it('a Java client configured by system properties alone (the README\'s way): zkCli.sh with CLIENT_JVMFLAGS', async () => {
      const bin = path.join(zk.dir, 'zookeeper-1', 'bin', 'zkCli.sh');
      const flags = [
        '-Dzookeeper.client.secure=true', '-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty',
        `-Dzookeeper.ssl.keyStore.location=${env.ZK_TLS_KEYSTORE}`, `-Dzookeeper.ssl.trustStore.location=${env.ZK_TLS_TRUSTSTORE}`,
        `-Dzookeeper.ssl.trustStore.password=${env.ZK_TLS_TRUSTSTORE_PASSWORD}`, `-Djava.security.auth.login.config=${env.ZK_SASL_JAAS}`,
      ].join(' ');
      const r = await execa(bin, ['-server', env.ZK_SECURE_CONNECT!, 'get', '/both'], { env: { ...sb.env, CLIENT_JVMFLAGS: flags, ZOO_LOG_DIR: path.join(sb.root, 'zkcli-logs') }, reject: false, timeout: 60_000, stdin: 'ignore' });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^tls\+sasl$/m);
    });

    it('a plaintext client, a client without SASL and a wrong password are each refused, with the reason', async () => {
      await expectClientRefusalsNamed(zk, 'only', env);
      // kazoo too: a wrong password is an authentication failure, not a hang.
      const wrong = await kazoo({ ...env, ZK_SASL_PASSWORD: 'not-the-password' }, `zk = KazooClient(hosts=E['ZK_SECURE_CONNECT'], ${KAZOO_TLS}, ${KAZOO_SASL})\ntry:\n  zk.start(timeout=10)\n  zk.get_children('/')\n  print('connected')\nexcept Exception as e:\n  print(type(e).__name__)\nfinally:\n  zk.stop()`);
      expect(wrong.stdout).not.toMatch(/connected/);
    });

    it('no key or password in any command line or server log; down --purge removes the keys', async () => {
      const users = JSON.parse(readFileSync(path.join(zk.dir, 'security', 'sasl-users.json'), 'utf8')) as Record<string, string>;
      const secrets = [...Object.values(users), readFileSync(path.join(zk.dir, 'security', 'truststore.password'), 'utf8').trim()];
      const keyBody = readFileSync(path.join(zk.dir, 'security', 'client-key.pem'), 'utf8').split('\n')[1]!;
      const cmdlines = allCommandLines();
      const logs = allLogs(zk.dir);
      for (const secret of [...secrets, keyBody]) {
        expect(cmdlines.includes(secret), 'a secret in a command line').toBe(false);
        expect(logs.includes(secret), 'a secret in a server log').toBe(false);
      }
      expect(cmdlines).toMatch(/-Djava\.security\.auth\.login\.config=\S+jaas-server-\d\.conf/);
      await zk.down({ purge: true });
      expect(() => readdirSync(path.join(zk.dir, 'security'))).toThrow(/ENOENT/);
    });
  });

  describe('--sasl', () => {
    let zk: Ensemble;
    beforeAll(async () => { zk = await up({ name: 'sasl', servers: 3, ports: 'auto', sasl: true, zkVersion, mirror: sb.mirrorUrl, env: sb.env }); });
    afterAll(async () => { await zk?.down({ purge: true }).catch(() => undefined); });

    it('check and cli authenticate; kazoo with sasl_options works and without it is refused', async () => {
      const check = await sb.cli(['check', '--name', 'sasl']);
      expect(check.exitCode, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toMatch(/SASL user "app"/);
      expect((await sb.cli(['--name', 'sasl', 'cli', '1', 'create', '/sasl', 'yes'])).exitCode).toBe(0);
      const env = await envOf(sb, 'sasl');
      expect(env).not.toHaveProperty('ZK_SECURE_CONNECT');
      const ok = await kazoo(env, `zk = KazooClient(hosts=E['ZK_CONNECT'], ${KAZOO_SASL})\nzk.start(timeout=15)\nprint(zk.get('/sasl')[0].decode())\nzk.stop()`);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(ok.stdout.trim()).toBe('yes');
      // The server closes the session of a client that skipped SASL; kazoo does not know that error
      // code and reconnects for ever, so the script gives it eight seconds to read anything.
      const refused = await kazoo(env, `import signal\nsignal.signal(signal.SIGALRM, lambda *a: (print('no answer'), os._exit(3)))\nsignal.alarm(8)\nzk = KazooClient(hosts=E['ZK_CONNECT'], command_retry={'max_tries': 0})\nzk.start(timeout=6)\ntry:\n  zk.get('/sasl')\n  print('read it')\nexcept Exception as e:\n  print(type(e).__name__)\nos._exit(0)`);
      expect(refused.stdout).not.toMatch(/read it/);
    });
  });

  describe('--tls --sasl from Apache\'s own layout (its bin/ and the Netty jars TLS needs)', () => {
    let zk: Ensemble;
    let mirror: Mirror;
    beforeAll(async () => {
      mirror = await startDistMirror('apache');
      zk = await up({ name: 'both', servers: 1, ports: 'auto', tls: true, sasl: true, zkVersion, mirror: mirror.url, env: { ...sb.env, ZKPSEUDO_CACHE: path.join(sb.root, 'cache-apache') } });
    });
    afterAll(async () => {
      await zk?.down({ purge: true }).catch(() => undefined);
      await mirror?.close();
    });

    it('status, check and zkCli.sh over TLS with SASL; kazoo on both ports', async () => {
      const cenv = { env: { ZKPSEUDO_CACHE: path.join(sb.root, 'cache-apache') } };
      expect(readFileSync(path.join(zk.dir, 'zookeeper-1', 'bin', 'zkEnv.sh'), 'utf8')).toMatch(/Licensed to the Apache Software Foundation/);
      expect((await sb.cli(['status', '--name', 'both'], cenv)).exitCode).toBe(0);
      const check = await sb.cli(['check', '--name', 'both'], cenv);
      expect(check.exitCode, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toMatch(/over TLS, SASL user "app"/);
      const cli = await sb.cli(['--name', 'both', 'cli', '1', 'create', '/apache', 'layout'], cenv);
      expect(cli.exitCode, cli.stderr).toBe(0);
      const env = await envOf(sb, 'both');
      const r = await kazoo(env, `for hosts, tls in ((E['ZK_SECURE_CONNECT'], True), (E['ZK_CONNECT'], False)):\n  zk = KazooClient(hosts=hosts, ${KAZOO_SASL}, **({'use_ssl': True, 'certfile': E['ZK_TLS_CERT'], 'keyfile': E['ZK_TLS_KEY'], 'ca': E['ZK_TLS_CA']} if tls else {}))\n  zk.start(timeout=15)\n  print(zk.get('/apache')[0].decode())\n  zk.stop()`);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual(['layout', 'layout']);
    });
  });
});

describe('secured ensembles, ZooKeeper 3.9.3 (a real build; FIPS mode is on by default there)', () => {
  const zkVersion = '3.9.3';
  let sb: Sandbox;
  let zk: Ensemble;
  let env: Record<string, string>;
  beforeAll(async () => {
    const mirror = releasesMirror([zkVersion], 'the secured-ensemble tests');
    sb = await createSandbox('secure39');
    zk = await up({ name: 's39', servers: 3, ports: 'auto', tlsOnly: true, sasl: true, zkVersion, mirror, env: sb.env });
    env = await envOf(sb, 's39');
  });
  afterAll(async () => {
    await zk?.down({ purge: true }).catch(() => undefined);
    await sb?.cleanup();
  });

  it('the quorum speaks TLS and authenticates with SASL; every server runs with FIPS mode off; status, wait and check work over TLS', async () => {
    const status = JSON.parse((await sb.cli(['status', '--json', '--name', 's39'])).stdout) as { zkVersion: string; servers: { role: string; pid: number }[] };
    expect(status.zkVersion).toBe(zkVersion);
    expect(status.servers.map((x) => x.role).sort()).toEqual(['follower', 'follower', 'leader']);
    const logs = allLogs(zk.dir);
    expect(logs.match(/Using TLS encrypted quorum communication/g)?.length).toBeGreaterThanOrEqual(3);
    expect(logs).toMatch(/Successfully completed the authentication using SASL/);
    for (const { pid } of status.servers) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline).toContain('-Dzookeeper.fips-mode=false');
      expect(cmdline.some((a) => /^-Djava\.security\.auth\.login\.config=.+jaas-server-\d\.conf$/.test(a))).toBe(true);
    }
    expect((await sb.cli(['wait', 'healthy', '--timeout', '20s', '--name', 's39'])).exitCode).toBe(0);
    const check = await sb.cli(['check', '--name', 's39']);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/over TLS, SASL user "app"/);
  });

  it('zkCli.sh of 3.9.3 (zkpseudo cli: FIPS off, TLS, SASL) and kazoo with use_ssl and sasl_options; seed, dump and reset through zkpseudo\'s own client', async () => {
    expect(readFileSync(path.join(zk.dir, 'security', 'zkclient.properties'), 'utf8')).toMatch(/^zookeeper\.fips-mode=false$/m);
    const created = await sb.cli(['--name', 's39', 'cli', '1', 'create', '/v39', 'tls+sasl on 3.9']);
    expect(created.exitCode, created.stderr).toBe(0);
    const r = await kazoo(env, `zk = KazooClient(hosts=E['ZK_SECURE_CONNECT'], ${KAZOO_TLS}, ${KAZOO_SASL})\nzk.start(timeout=15)\nprint(zk.get('/v39')[0].decode())\nzk.stop()`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('tls+sasl on 3.9');
    const file = path.join(sb.root, 's39-seed.yaml');
    await writeFile(file, '/app: hello\n/app/child: {}\n');
    expect((await sb.cli(['seed', file, '--name', 's39'], { timeout: 30_000 })).exitCode).toBe(0);
    const dump = await sb.cli(['dump', '--name', 's39'], { timeout: 30_000 });
    expect(dump.stdout).toMatch(/^\/app\/child:/m);
    expect(dump.stdout).toMatch(/^\/v39: tls\+sasl on 3\.9$/m);
    expect((await sb.cli(['reset', '--name', 's39'], { timeout: 30_000 })).exitCode).toBe(0);
    expect((await sb.cli(['dump', '--name', 's39'])).stdout).not.toMatch(/\/app|\/v39/);
  });

  it('a plaintext client, a client without SASL and a wrong password are each refused, with the reason from 3.9.3\'s own log', async () => {
    await expectClientRefusalsNamed(zk, 's39', env);
  });
});
