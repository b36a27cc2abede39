/**
 * `--tls` and `--sasl` with `--connect` (src/ensemble/remote/credentials.ts): what a session
 * presents comes from the variables `zkpseudo env` prints, read only when asked; each thing
 * missing or unreadable is a clear error naming the variable (usage: 64) or the file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, ZkpseudoError } from '../../src/errors.js';
import { connectCredentials } from '../../src/ensemble/remote/credentials.js';

const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n';
let dir: string;
let ca: string;
let cert: string;
let key: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-creds-'));
  [ca, cert, key] = ['ca.pem', 'client-cert.pem', 'client-key.pem'].map((f) => path.join(dir, f)) as [string, string, string];
  await writeFile(ca, CA);
  await writeFile(cert, CERT);
  await writeFile(key, KEY);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('credentials for --connect', () => {
  it('nothing asked, nothing read: variables left in a shell change nothing', async () => {
    expect(await connectCredentials({ ZK_TLS_CA: '/nonexistent', ZK_SASL_USER: 'x' }, {})).toEqual({});
  });

  it('--tls: the CA, and the client certificate and key when both are set', async () => {
    expect(await connectCredentials({ ZK_TLS_CA: ca }, { tls: true })).toEqual({ tls: { ca: CA } });
    expect(await connectCredentials({ ZK_TLS_CA: ca, ZK_TLS_CERT: cert, ZK_TLS_KEY: key }, { tls: true })).toEqual({ tls: { ca: CA, cert: CERT, key: KEY } });
  });

  it('--sasl: the user and password; with --tls, both', async () => {
    expect(await connectCredentials({ ZK_SASL_USER: 'app ', ZK_SASL_PASSWORD: 'p w' }, { sasl: true })).toEqual({ sasl: { user: 'app', password: 'p w' } });
    expect(await connectCredentials({ ZK_TLS_CA: ca, ZK_SASL_USER: 'app', ZK_SASL_PASSWORD: 'pw' }, { tls: true, sasl: true })).toEqual({ tls: { ca: CA }, sasl: { user: 'app', password: 'pw' } });
  });

  it.each([
    [{}, { tls: true }, /--tls needs \$ZK_TLS_CA/],
    [{ ZK_TLS_CA: '  ' }, { tls: true }, /--tls needs \$ZK_TLS_CA/],
    [{ ZK_TLS_CA: 'x', ZK_TLS_CERT: 'y' }, { tls: true }, /\$ZK_TLS_CERT is set but \$ZK_TLS_KEY is not/],
    [{ ZK_TLS_CA: 'x', ZK_TLS_KEY: 'y' }, { tls: true }, /\$ZK_TLS_KEY is set but \$ZK_TLS_CERT is not/],
    [{}, { sasl: true }, /--sasl needs \$ZK_SASL_USER and \$ZK_SASL_PASSWORD/],
    [{ ZK_SASL_USER: 'app' }, { sasl: true }, /--sasl needs \$ZK_SASL_PASSWORD:/],
  ] as const)('%o with %o: a usage error naming what is missing, and how to get it', async (env, flags, message) => {
    const err = await connectCredentials(env, flags).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(message);
    expect((err as UsageError).exitCode).toBe(64);
    expect((err as UsageError).hint).toMatch(/eval "\$\(zkpseudo env --name NAME\)"/);
  });

  it('a variable naming what cannot be a PEM file: the variable, the file and why — never a read that does not end', async () => {
    const missing = path.join(dir, 'gone.pem');
    const junk = path.join(dir, 'junk.pem');
    await writeFile(junk, Buffer.from([0xff, 0xfe, 0x00, 0x01]));
    // Missing, a directory, a device that never ends, a huge file: test/unit/user-file.test.ts has every reader × every kind.
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ ZK_TLS_CA: missing }, /\$ZK_TLS_CA names .+gone\.pem, which cannot be read \(ENOENT\)/],
      [{ ZK_TLS_CA: ca, ZK_TLS_CERT: missing, ZK_TLS_KEY: key }, /\$ZK_TLS_CERT names .+gone\.pem, which cannot be read \(ENOENT\)/],
      [{ ZK_TLS_CA: dir }, /\$ZK_TLS_CA names .+, which is a directory/],
      [{ ZK_TLS_CA: '/dev/zero' }, /\$ZK_TLS_CA names \/dev\/zero, which gives more than the 1048576 bytes this file may hold/],
      [{ ZK_TLS_CA: junk }, /which is not UTF-8 text \(binary junk\); it should hold the CA certificate \(PEM\)/],
      [{ ZK_TLS_CA: ca, ZK_TLS_CERT: key, ZK_TLS_KEY: key }, /\$ZK_TLS_CERT names .+, which holds no PEM block of that kind; it should hold the client certificate/],
      [{ ZK_TLS_CA: ca, ZK_TLS_CERT: cert, ZK_TLS_KEY: cert }, /\$ZK_TLS_KEY names .+, which holds no PEM block of that kind; it should hold the client's private key/],
    ];
    for (const [env, message] of cases) {
      const err = await connectCredentials(env, { tls: true }).then(() => undefined, (e: unknown) => e);
      expect(err, JSON.stringify(env)).toBeInstanceOf(ZkpseudoError);
      expect((err as Error).message).toMatch(/^--tls: /);
      expect((err as Error).message).toMatch(message);
      expect((err as ZkpseudoError).exitCode).toBe(2);
    }
  });
});
