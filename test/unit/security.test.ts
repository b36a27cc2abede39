// Secured ensembles, the pure parts: options, per-version zoo.cfg keys, JAAS and client
// settings, the JKS trust store, refusal reasons read from real 3.8.0 logs, env variables.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeOptions, checkOptions } from '../../src/options/options.js';
import { parseEnsembleFile } from '../../src/options/file.js';
import { recordedSpecProblems } from '../../src/options/recorded.js';
import { securityCfgLines, securityJvmFlags, securitySupport, secureClientPort, plainClientPort } from '../../src/zk/config/security-cfg.js';
import { versionFacts } from '../../src/zk/version-facts.js';
import { parseZkVersion } from '../../src/zk/versions.js';
import { refusalReason } from '../../src/zk/logs/security-log.js';
import { clientJaas, javaClientConfig, serverJaas } from '../../src/ensemble/security/jaas.js';
import { jksTrustStore } from '../../src/ensemble/security/jks.js';
import { securityVars } from '../../src/ensemble/security/env-vars.js';
import { securityFiles } from '../../src/ensemble/security/files.js';
import { clientEndpoint, secureConnectString } from '../../src/ensemble/security/endpoints.js';
import { javaClientLaunch } from '../../src/ensemble/security/java-client.js';
import { ensemblePaths } from '../../src/ensemble/store/layout.js';
import { parseProperties } from '../../src/zk/config/properties.js';
import { faultPortCount, faultPorts } from '../../src/ensemble/faults/links.js';
import type { EnsembleSpec, Member, SecuritySpec } from '../../src/options/types.js';

const facts = (v: string) => versionFacts(parseZkVersion(v)!);
const member = (id: number, secure?: number): Member => ({ id, peerType: 'participant', ports: { client: 2180 + id, quorum: 2887 + id, election: 3887 + id, ...(secure ? { secureClient: secure } : {}) } });
const fixture = (name: string) => readFileSync(new URL(`../fixtures/security/${name}`, import.meta.url), 'utf8');

function spec(security: SecuritySpec | undefined, extra: Partial<EnsembleSpec> = {}): EnsembleSpec {
  return {
    name: 'sec', zkVersion: '3.8.0', dist: { source: 'system', origin: '/', tarball: '/t.tgz', sha512: 'a'.repeat(128) }, heapMb: 128, portScheme: 'classic',
    members: [member(1, security?.tls && !security.tls.only ? 2281 : undefined), member(2, security?.tls && !security.tls.only ? 2282 : undefined)],
    config: {}, createdAt: '2026-01-01T00:00:00.000Z', ...(security ? { security } : {}), ...extra,
  };
}

describe('options', () => {
  it('--tls, --tls-only, --tls-client-auth and --sasl become one SecuritySpec', () => {
    expect(normalizeOptions({}).security).toBeUndefined();
    expect(normalizeOptions({ tls: true }).security).toEqual({ tls: { only: false, clientAuth: 'need' } });
    expect(normalizeOptions({ tlsOnly: true, tlsClientAuth: 'want' }).security).toEqual({ tls: { only: true, clientAuth: 'want' } });
    expect(normalizeOptions({ sasl: true }).security).toEqual({ sasl: true });
    expect(normalizeOptions({ tls: true, sasl: true }).security).toEqual({ tls: { only: false, clientAuth: 'need' }, sasl: true });
  });

  it('client auth without TLS, or a mode ZooKeeper does not know, is refused', () => {
    expect(checkOptions({ tlsClientAuth: 'want' }).issues).toEqual([{ key: 'tlsClientAuth', message: 'applies to TLS only: add tls (--tls)' }]);
    expect(checkOptions({ tls: true, tlsClientAuth: 'maybe' as 'want' }).issues[0]!.message).toMatch(/not "need", "want" or "none"/);
    expect(() => parseEnsembleFile('tls: yes\ntlsClientAuth: sometimes\n', 'f.yaml')).toThrow(/f\.yaml:2: tlsClientAuth: "sometimes" is not "need", "want" or "none"/);
    expect(parseEnsembleFile('tlsOnly: true\nsasl: true\n', 'f.yaml')).toEqual({ tlsOnly: true, sasl: true });
  });

  it('a recorded security block is checked like the rest of ensemble.yaml', () => {
    const base = JSON.parse(JSON.stringify(spec({ tls: { only: false, clientAuth: 'need' } })));
    expect(recordedSpecProblems(base)).toEqual([]);
    expect(recordedSpecProblems({ ...base, security: { tls: { only: 'no', clientAuth: 'sometimes' } } })).toEqual([
      'security.tls.only: "no" is not true or false', 'security.tls.clientAuth: "sometimes" is not "need" or "want" or "none"',
    ]);
    expect(recordedSpecProblems({ ...base, security: { tls: { only: false, clientAuth: 'need' }, sasl: 'yes', kerberos: true } })).toEqual([
      'security.sasl: "yes" is not true or false', 'security.kerberos: is not a key zkpseudo writes',
    ]);
    // The TLS port beside the plain one exists exactly on a --tls ensemble (not --tls-only, not plain).
    expect(recordedSpecProblems({ ...base, security: { tls: { only: true, clientAuth: 'need' } } })).toEqual([
      'members[0].ports.secureClient: the ensemble has no TLS port beside the plain one', 'members[1].ports.secureClient: the ensemble has no TLS port beside the plain one',
    ]);
    const plain = JSON.parse(JSON.stringify(spec(undefined)));
    expect(recordedSpecProblems({ ...plain, faults: { links: {}, clients: { 1: 40001, 2: 40002 }, secureClients: { 1: 40003 } } })).toEqual([
      'faults.secureClients: the ensemble has no TLS port beside the plain one',
    ]);
    expect(recordedSpecProblems({ ...base, faults: { links: {}, clients: { 1: 40001, 2: 40002 } } })).toEqual([
      'faults.secureClients: is missing (the ensemble has TLS ports beside the plain ones)',
    ]);
    base.members[0].ports.secureClient = 70000;
    expect(recordedSpecProblems(base)).toEqual(['members[0].ports.secureClient: 70000 is not a port number']);
  });
});

describe('zoo.cfg keys per version', () => {
  const input = (v: string, security: SecuritySpec, self = member(1, 2281)) => ({ security, facts: facts(v), self, keyStore: '/s/server-1.pem', trustStore: '/s/ca.pem' });
  const keys = (lines: { key: string; value: string }[]) => Object.fromEntries(lines.map((l) => [l.key, l.value]));

  it('TLS: Netty, the secure port on 127.0.0.1, PEM stores, client auth, quorum TLS', () => {
    expect(keys(securityCfgLines(input('3.8.0', { tls: { only: false, clientAuth: 'want' } })))).toEqual({
      serverCnxnFactory: 'org.apache.zookeeper.server.NettyServerCnxnFactory', secureClientPort: '2281', secureClientPortAddress: '127.0.0.1',
      'ssl.keyStore.location': '/s/server-1.pem', 'ssl.trustStore.location': '/s/ca.pem', 'ssl.clientAuth': 'want',
      sslQuorum: 'true', 'ssl.quorum.keyStore.location': '/s/server-1.pem', 'ssl.quorum.trustStore.location': '/s/ca.pem',
    });
  });

  it('TLS only: the client port is the secure port, and there is no plain one', () => {
    const sec: SecuritySpec = { tls: { only: true, clientAuth: 'need' } };
    expect(keys(securityCfgLines(input('3.8.0', sec, member(1))))['secureClientPort']).toBe('2181');
    expect(plainClientPort(sec, member(1))).toBeUndefined();
    expect(secureClientPort(sec, member(1))).toBe(2181);
  });

  it('SASL enforcement: enforce.auth.* from 3.7, sessionRequireClientSASLAuth on 3.5.9–3.6, none before', () => {
    const sasl: SecuritySpec = { sasl: true };
    expect(keys(securityCfgLines(input('3.9.3', sasl)))).toMatchObject({ 'enforce.auth.enabled': 'true', 'enforce.auth.schemes': 'sasl', superUser: 'super' });
    expect(keys(securityCfgLines(input('3.6.4', sasl)))).toMatchObject({ sessionRequireClientSASLAuth: 'true' });
    expect(keys(securityCfgLines(input('3.5.9', sasl)))).toMatchObject({ sessionRequireClientSASLAuth: 'true' });
    const old = keys(securityCfgLines(input('3.5.8', sasl)));
    expect(old).not.toHaveProperty('sessionRequireClientSASLAuth');
    expect(old).not.toHaveProperty('enforce.auth.enabled');
    expect(old).toMatchObject({ 'authProvider.1': 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider', 'quorum.auth.enableSasl': 'true' });
    expect(keys(securityCfgLines(input('3.4.9', sasl)))).not.toHaveProperty('quorum.auth.enableSasl');
  });

  it('what a release cannot do is refused (TLS) or said (SASL it cannot enforce)', () => {
    expect(securitySupport({ tls: { only: false, clientAuth: 'need' } }, facts('3.5.4'), '3.5.4').refusal).toMatch(/3\.5\.5 and later/);
    expect(securitySupport({ tls: { only: false, clientAuth: 'need' } }, facts('3.5.5'), '3.5.5')).toEqual({ notices: [] });
    expect(securitySupport({ sasl: true }, facts('3.4.14'), '3.4.14').notices[0]).toMatch(/cannot refuse clients that skip SASL/);
    expect(securitySupport({ sasl: true }, facts('3.8.0'), '3.8.0').notices).toEqual([]);
  });

  it('JVM flags: the JAAS file by path; FIPS mode off on 3.9, where it defaults on', () => {
    expect(securityJvmFlags({ sasl: true }, facts('3.8.0'), '/s/jaas-server-1.conf')).toEqual(['-Djava.security.auth.login.config=/s/jaas-server-1.conf']);
    expect(securityJvmFlags({ sasl: true }, facts('3.9.5'), '/s/j')).toEqual(['-Djava.security.auth.login.config=/s/j', '-Dzookeeper.fips-mode=false']);
    expect(securityJvmFlags({ tls: { only: false, clientAuth: 'need' } }, facts('3.9.5'), '/s/j')).toEqual([]);
  });
});

describe('JAAS and Java client settings', () => {
  const users = { super: 'S'.repeat(32), app: 'A'.repeat(32), quorum: 'Q'.repeat(32) };

  it('a server knows super and app, and the quorum user on both ends of a quorum link', () => {
    const text = serverJaas(users, true);
    expect(text).toContain(`Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_super="${users.super}"\n  user_app="${users.app}";\n};`);
    expect(text).toContain(`QuorumServer {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_quorum="${users.quorum}";\n};`);
    expect(text).toContain(`QuorumLearner {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  username="quorum"\n  password="${users.quorum}";\n};`);
    expect(serverJaas(users, false)).not.toContain('Quorum');
    expect(clientJaas('app', users.app)).toContain(`Client {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  username="app"\n  password="${users.app}";\n};`);
  });

  it('the client configuration is java.util.Properties text with TLS through Netty', () => {
    const props = parseProperties(javaClientConfig({ tls: { keyStore: '/h/j\u00f3zef/client.pem', trustStore: '/s/truststore.jks', trustStorePassword: 'pw' }, sasl: true, fipsOff: true }));
    expect(props).toEqual({
      'zookeeper.client.secure': 'true', 'zookeeper.clientCnxnSocket': 'org.apache.zookeeper.ClientCnxnSocketNetty',
      'zookeeper.ssl.keyStore.location': '/h/j\u00f3zef/client.pem', 'zookeeper.ssl.trustStore.location': '/s/truststore.jks',
      'zookeeper.ssl.trustStore.password': 'pw', 'zookeeper.sasl.client': 'true', 'zookeeper.fips-mode': 'false',
    });
  });

  it('zkCli.sh gets the configuration file as an argument and only paths as JVM flags', () => {
    const files = securityFiles(ensemblePaths('/h', 'sec'));
    const launch = javaClientLaunch(spec({ tls: { only: false, clientAuth: 'need' }, sasl: true }), files, facts('3.8.0'));
    expect(launch).toEqual({ args: ['-client-configuration', '/h/sec/security/zkclient.properties'], jvmFlags: ['-Djava.security.auth.login.config=/h/sec/security/jaas-client.conf'] });
    expect(launch.jvmFlags.join(' ')).not.toMatch(/password/i);
  });
});

describe('the JKS trust store', () => {
  it('has the JKS header, one trusted-certificate entry, and the keyed SHA-1 Java checks', () => {
    const der = Buffer.from('3003020101', 'hex');
    const bytes = jksTrustStore([{ alias: 'ZKpseudo-CA', der }], 'pw', 1_700_000_000_000);
    expect(bytes.readUInt32BE(0)).toBe(0xfeedfeed);
    expect(bytes.readUInt32BE(4)).toBe(2);
    expect(bytes.readUInt32BE(8)).toBe(1);
    expect(bytes.readUInt32BE(12)).toBe(2); // trusted certificate
    expect(bytes.subarray(16, 18).readUInt16BE()).toBe(11);
    expect(bytes.subarray(18, 29).toString()).toBe('zkpseudo-ca');
    const body = bytes.subarray(0, bytes.length - 20);
    const pw = Buffer.from([0, 0x70, 0, 0x77]);
    const digest = createHash('sha1').update(pw).update('Mighty Aphrodite').update(body).digest();
    expect(bytes.subarray(bytes.length - 20)).toEqual(digest);
    expect(body.subarray(body.length - der.length)).toEqual(der);
  });
});

describe('refusal reasons from real ZooKeeper 3.8.0 logs', () => {
  it('names a client without a certificate, and one whose certificate failed validation', () => {
    const log = fixture('netty-client-refusals-3.8.0.log');
    expect(refusalReason(log.split('\n').slice(0, 3).join('\n'))).toBe('the client presented no certificate, and the server requires one (ssl.clientAuth=need)');
    expect(refusalReason(log)).toBe('a certificate has expired or is not valid yet (validity check failed)');
    expect(refusalReason(log, Date.now())).toBeUndefined();
    expect(refusalReason(log, 0, true)).toBeUndefined();
  });

  it('names plaintext sent to the TLS port, a wrong SASL password and a client that skipped SASL', () => {
    expect(refusalReason(fixture('plaintext-on-tls-port-3.8.0.log'))).toBe('a client sent plaintext to the TLS port (not an SSL/TLS record)');
    const sasl = fixture('sasl-wrong-password-3.8.0.log').split('\n');
    expect(refusalReason(sasl.slice(0, 2).join('\n'))).toBe('SASL authentication failed: the password is wrong (DIGEST-MD5: digest response format violation. Mismatched response.)');
    expect(refusalReason(sasl.slice(2).join('\n'))).toBe('the client did not authenticate with [sasl] (it had [ip]), so the server closed its session');
    // One client's attempt: the latest refusal is its own.
    expect(refusalReason(sasl.join('\n'))).toMatch(/did not authenticate with \[sasl\]/);
  });

  it('between servers, the most specific cause wins over a bare alert', () => {
    const alert = '2026-11-30 20:53:11,000 [myid:3] - WARN  [QuorumConnectionThread-[myid=3]-1:QuorumCnxManager@401] - Cannot open channel to 1 at election address /127.0.0.1:1\njavax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_unknown';
    const validity = '2026-11-30 20:53:11,100 [myid:1] - WARN  [QuorumConnectionThread-[myid=1]-3:QuorumCnxManager@500] - Exception handling connection\njavax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed';
    expect(refusalReason(`${validity}\n${alert}`, 0, true)).toBe('a certificate has expired or is not valid yet (validity check failed)');
    expect(refusalReason(`${validity}\n${alert}`, 0, false)).toBe('the other end refused its certificate (TLS alert certificate_unknown) (on its link to server 1)');
  });

  it('names a peer with an expired certificate, and which peer', () => {
    expect(refusalReason(fixture('quorum-expired-peer-3.8.0.log'), 0, true)).toBe('a certificate has expired (NotAfter: Thu Nov 19 07:06:27 UTC 2026) (on its link to server 3)');
  });
});

describe('where clients connect, and what env prints', () => {
  it('TLS beside plain: secure ports for secure clients, through the fault proxies when there are any', () => {
    const s = spec({ tls: { only: false, clientAuth: 'need' } });
    expect(clientEndpoint(s, s.members[0]!)).toEqual({ port: 2281, tls: true });
    expect(clientEndpoint(s, s.members[0]!, 'plain')).toEqual({ port: 2181, tls: false });
    expect(secureConnectString(s)).toBe('127.0.0.1:2281,127.0.0.1:2282');
    const proxied = { ...s, faults: faultPorts(40000, 2, true) };
    expect(faultPortCount(2, true)).toBe(8);
    expect(clientEndpoint(proxied, s.members[1]!)).toEqual({ port: 40007, tls: true });
    expect(clientEndpoint(proxied, s.members[1]!, 'plain')).toEqual({ port: 40005, tls: false });
  });

  it('TLS only: the client port speaks TLS; a plain ensemble has no secure connect string', () => {
    const s = spec({ tls: { only: true, clientAuth: 'need' } });
    expect(clientEndpoint(s, s.members[0]!)).toEqual({ port: 2181, tls: true });
    expect(clientEndpoint(s, s.members[0]!, 'plain')).toEqual({ port: 2181, tls: true });
    expect(secureConnectString(spec(undefined))).toBeUndefined();
  });

  it('env: the secure connect string, every path, the user and both passwords', () => {
    const files = securityFiles(ensemblePaths('/h', 'sec'));
    const vars = securityVars(spec({ tls: { only: false, clientAuth: 'need' }, sasl: true }), files, { trustStorePassword: 'tpw', appPassword: 'apw' });
    expect(vars).toEqual({
      ZK_SECURE_CONNECT: '127.0.0.1:2281,127.0.0.1:2282', ZK_SECURE_SERVER_1: '127.0.0.1:2281', ZK_SECURE_SERVER_2: '127.0.0.1:2282',
      ZK_TLS_CA: '/h/sec/security/ca.pem', ZK_TLS_CERT: '/h/sec/security/client-cert.pem', ZK_TLS_KEY: '/h/sec/security/client-key.pem',
      ZK_TLS_KEYSTORE: '/h/sec/security/client.pem', ZK_TLS_TRUSTSTORE: '/h/sec/security/truststore.jks',
      ZK_TLS_TRUSTSTORE_PASSWORD: 'tpw', ZK_TLS_TRUSTSTORE_PASSWORD_FILE: '/h/sec/security/truststore.password',
      ZK_SASL_USER: 'app', ZK_SASL_PASSWORD: 'apw', ZK_SASL_JAAS: '/h/sec/security/jaas-client.conf', ZK_SASL_SUPER_JAAS: '/h/sec/security/jaas-super.conf',
      ZK_CLIENT_CONFIG: '/h/sec/security/zkclient.properties',
    });
    expect(securityVars(spec(undefined), files, {})).toEqual({});
  });
});

describe('users read back', () => {
  it('sasl-users.json is decoded strictly: good, missing, damaged (named, left where it is)', async () => {
    const { mkdtemp, mkdir, writeFile, readFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { readUsers } = await import('../../src/ensemble/security/material.js');
    const home = await mkdtemp(path.join(os.tmpdir(), 'zkp-users-'));
    try {
      const paths = ensemblePaths(home, 'sec');
      const file = securityFiles(paths).users;
      await expect(readUsers(paths, { name: 'sec' })).rejects.toThrow(/Cannot read .*sasl-users\.json \(ENOENT\): ensemble "sec" is secured/);
      await mkdir(path.dirname(file), { recursive: true });
      const good = { super: 'a'.repeat(32), app: 'b'.repeat(32), quorum: 'c'.repeat(32) };
      await writeFile(file, JSON.stringify(good));
      expect(await readUsers(paths, { name: 'sec' })).toEqual(good);
      for (const [text, problem] of [
        ['{"super":"x"', /not JSON/],
        ['null', /not the users super, app and quorum/],
        [JSON.stringify({ ...good, app: 'short' }), /app: "short" is not a password as zkpseudo makes them/],
        [JSON.stringify({ ...good, root: 'd'.repeat(32) }), /root: is not a key zkpseudo writes/],
        ['', /it is empty/],
      ] as const) {
        await writeFile(file, text);
        await expect(readUsers(paths, { name: 'sec' })).rejects.toThrow(problem);
        expect(await readFile(file, 'utf8')).toBe(text);
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
