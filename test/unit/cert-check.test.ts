/**
 * The certificate check before a secured server starts (src/ensemble/security/cert-check.ts):
 * real certificates made by the project's own CA code, each fault a user or time can give a
 * key store — expired, not yet valid, another CA's, a key that is not its certificate's, an
 * expired CA — named with the file, and the way out it names (move security/ aside, up again)
 * proven to make usable keys. Garbage in the files is in the read-back matrix.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZkpseudoError } from '../../src/errors.js';
import { createAuthority, loadAuthority } from '../../src/ensemble/security/certs.js';
import { checkServerCertificate } from '../../src/ensemble/security/cert-check.js';
import { securityFiles } from '../../src/ensemble/security/files.js';
import { createSecurityMaterial, ensureSecurityMaterial } from '../../src/ensemble/security/material.js';
import { ensemblePaths, type EnsemblePaths } from '../../src/ensemble/store/layout.js';
import type { EnsembleSpec } from '../../src/options/types.js';
import { readFile } from 'node:fs/promises';

const DAY = 86_400_000;
let root: string;
let n = 0;
beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-certs-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const spec = (tls: boolean): EnsembleSpec => ({
  name: 'sec', zkVersion: '3.8.0', heapMb: 128, portScheme: 'auto', config: {}, createdAt: '2026-01-01T00:00:00.000Z',
  dist: { source: 'system', origin: '/usr/share/zookeeper/bin', tarball: '/tmp/x.tar.gz', sha512: 'ab'.repeat(64) },
  members: [1, 2].map((id) => ({ id, peerType: 'participant', ports: { client: 21810 + id, quorum: 28880 + id, election: 38880 + id } })),
  ...(tls ? { security: { tls: { only: false, clientAuth: 'need' } } } : {}),
}) as EnsembleSpec;

async function secured(): Promise<{ paths: EnsemblePaths; s: EnsembleSpec }> {
  const paths = ensemblePaths(path.join(root, `home-${n++}`), 'sec');
  const s = spec(true);
  await createSecurityMaterial(paths, s);
  return { paths, s };
}

/** The ensemble's own CA, loaded back to issue a replacement certificate for server 1. */
async function ensembleCa(paths: EnsemblePaths) {
  const f = securityFiles(paths);
  return loadAuthority(await readFile(f.caCert, 'utf8'), await readFile(f.caKey, 'utf8'));
}

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('the check passed'); }, (e: unknown) => {
  expect(e).toBeInstanceOf(ZkpseudoError);
  return e as ZkpseudoError;
});

describe('a server\'s key store, checked before it starts', () => {
  it('the keys zkpseudo made pass for every server; an ensemble without TLS has nothing to check', async () => {
    const { paths, s } = await secured();
    for (const m of s.members) await checkServerCertificate(paths, s, m.id);
    await checkServerCertificate(ensemblePaths(path.join(root, 'plain'), 'sec'), spec(false), 1);
  });

  it('expired, or not valid yet: named with the file and the date', async () => {
    const { paths, s } = await secured();
    const store = securityFiles(paths).serverStore(1);
    const ca = await ensembleCa(paths);
    const expired = await ca.issue('server 1, expired', { notBefore: new Date(Date.now() - 2 * DAY), notAfter: new Date(Date.now() - DAY) });
    await writeFile(store, `${expired.key}${expired.cert}${ca.cert}`);
    const e = await failure(checkServerCertificate(paths, s, 1));
    expect(e.message).toMatch(new RegExp(`^Server 1 of ensemble "sec" cannot start securely: ${store.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: its certificate expired on \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\.$`));
    expect(e.exitCode).toBe(2);
    // Server 2's own certificate is still good: only the faulty one is named.
    await checkServerCertificate(paths, s, 2);
    const later = await ca.issue('server 1, later', { notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 2 * DAY) });
    await writeFile(store, `${later.key}${later.cert}${ca.cert}`);
    expect((await failure(checkServerCertificate(paths, s, 1))).message).toMatch(/its certificate is not valid until \d{4}-/);
    // The same store is fine once its time has come (the check's clock is a parameter).
    await checkServerCertificate(paths, s, 1, new Date(Date.now() + 1.5 * DAY));
  });

  it('signed by another CA, or a key that is not its certificate\'s: named', async () => {
    const { paths, s } = await secured();
    const store = securityFiles(paths).serverStore(1);
    const stranger = await (await createAuthority('another CA')).issue('server 1 from elsewhere');
    await writeFile(store, `${stranger.key}${stranger.cert}`);
    expect((await failure(checkServerCertificate(paths, s, 1))).message).toMatch(/its certificate is not signed by the ensemble's CA \(it names "CN=another CA" as issuer\), so no other server would accept it\.$/);
    const ca = await ensembleCa(paths);
    const [a, b] = [await ca.issue('one'), await ca.issue('two')];
    await writeFile(store, `${a.key}${b.cert}${ca.cert}`);
    expect((await failure(checkServerCertificate(paths, s, 1))).message).toMatch(/its private key is not the key of its certificate\.$/);
  });

  it('an expired CA: named as the CA, before any server\'s certificate', async () => {
    const { paths, s } = await secured();
    const f = securityFiles(paths);
    const old = await createAuthority('old CA', { notBefore: new Date(Date.now() - 3 * DAY), notAfter: new Date(Date.now() - DAY) });
    await writeFile(f.caCert, old.cert);
    const e = await failure(checkServerCertificate(paths, s, 1));
    expect(e.message).toBe(`Ensemble "sec"'s CA (${f.caCert}) cannot be used: it expired on ${e.message.match(/expired on (\S+)\./)![1]}.`);
  });

  it('the way out it names works: with security/ moved aside, the next up makes new keys that pass', async () => {
    const { paths, s } = await secured();
    const f = securityFiles(paths);
    const stranger = await (await createAuthority('another CA')).issue('x');
    await writeFile(f.serverStore(2), `${stranger.key}${stranger.cert}`);
    const e = await failure(checkServerCertificate(paths, s, 2));
    expect(e.hint).toBe(`Make new keys and certificates (the data is kept): \`zkpseudo down --name sec\`, move ${f.dir} aside, then \`zkpseudo up --name sec\`.`);
    await rename(f.dir, `${f.dir}.old`);
    // What up's configure step does: the material is made again because it is missing.
    expect(await ensureSecurityMaterial(paths, s)).toBe(true);
    for (const m of s.members) await checkServerCertificate(paths, s, m.id);
  });
});
