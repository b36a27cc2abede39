/**
 * A secured server's certificate checked before the server starts: readable, within its
 * validity, signed by the ensemble's CA, and the pair of the key beside it. ZooKeeper starts
 * with any of these wrong; only its peers' handshakes fail, late and in a log, while `up`
 * waits. Checked here, the file and its fault are named at once. The files are read back like
 * every other file zkpseudo wrote (edge/fs/decode: bounded, strict UTF-8) and parsed by Node's
 * own X509Certificate, so a check costs no library load.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readBack, type Decoder } from '../../edge/fs/decode.js';
import { ZkpseudoError } from '../../errors.js';
import type { EnsembleSpec } from '../../options/types.js';
import type { EnsemblePaths } from '../store/layout.js';
import { securityFiles } from './files.js';

/** A PEM file as zkpseudo writes them: certificates (leaf first) and at most one PKCS#8 key. */
interface PemFile {
  certs: X509Certificate[];
  key?: KeyObject;
}

const BLOCK = /-----BEGIN ([A-Z ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;

/** Decodes PEM text into certificates and a key; `needKey` for a key store. Every problem is named. */
function pemFile(needKey: boolean): Decoder<PemFile> {
  return (value) => {
    const text = value as string;
    const certs: X509Certificate[] = [];
    const keys: KeyObject[] = [];
    const problems: string[] = [];
    for (const m of text.matchAll(BLOCK)) {
      const pem = m[0];
      try {
        if (m[1] === 'CERTIFICATE') certs.push(new X509Certificate(pem));
        else if (m[1] === 'PRIVATE KEY') keys.push(createPrivateKey(pem));
        else problems.push(`it holds a "${m[1]}" block, which zkpseudo never writes`);
      } catch (err) {
        problems.push(`its ${m[1] === 'CERTIFICATE' ? `certificate #${certs.length + 1}` : 'private key'} cannot be parsed (${(err as Error).message})`);
      }
    }
    if (!certs.length && !problems.length) problems.push('it holds no PEM certificate');
    if (needKey && !keys.length && !problems.length) problems.push('it holds no PKCS#8 private key ("BEGIN PRIVATE KEY")');
    if (keys.length > 1) problems.push(`it holds ${keys.length} private keys, where zkpseudo writes one`);
    return problems.length ? { ok: false, problems } : { ok: true, value: { certs, ...(keys[0] ? { key: keys[0] } : {}) } };
  };
}

const day = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Why `cert` is not usable at `now`, if it is not: outside its validity. */
function validityProblem(cert: X509Certificate, now: Date): string | undefined {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (now.getTime() > to) return `its certificate expired on ${day(to)}`;
  if (now.getTime() < from) return `its certificate is not valid until ${day(from)}`;
  return undefined;
}

/**
 * What is wrong with a key store (its key, its certificate first, then the chain) against the
 * ensemble's CA at `now`, or undefined when nothing is. Pure: the parsed files in, words out.
 */
export function keyStoreProblem(store: PemFile, ca: X509Certificate, now: Date): string | undefined {
  const leaf = store.certs[0]!;
  const expired = validityProblem(leaf, now);
  if (expired) return expired;
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) {
    return `its certificate is not signed by the ensemble's CA (it names "${leaf.issuer.replace(/\n/g, ', ')}" as issuer), so no other server would accept it`;
  }
  if (store.key) {
    const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
    if (!spki(createPublicKey(store.key)).equals(spki(leaf.publicKey))) return 'its private key is not the key of its certificate';
  }
  return undefined;
}

/** Reads a PEM file back strictly; a missing or damaged one is a ZkpseudoError naming it. */
async function readPem(file: string, needKey: boolean, spec: EnsembleSpec, remedy: string): Promise<PemFile> {
  const read = await readBack(file, pemFile(needKey), { as: 'text', maxBytes: 64 * 1024 });
  if (read.state === 'ok') return read.value;
  const why = read.state === 'missing' ? 'it is missing' : read.problems.join('; ');
  throw new ZkpseudoError(`Ensemble "${spec.name}" is secured with TLS, and ${file} cannot be used: ${why}.`, remedy);
}

/** How to make new keys without losing data: the material is remade when it is missing. */
function renewHint(spec: EnsembleSpec, dir: string): string {
  return `Make new keys and certificates (the data is kept): \`zkpseudo down --name ${spec.name}\`, move ${dir} aside, then \`zkpseudo up --name ${spec.name}\`.`;
}

/**
 * Throws a ZkpseudoError naming the file and its fault when server `id`'s key store, or the
 * CA it must be signed by, cannot serve a TLS handshake at `now`. Nothing to do without TLS.
 */
export async function checkServerCertificate(paths: EnsemblePaths, spec: EnsembleSpec, id: number, now = new Date()): Promise<void> {
  if (!spec.security?.tls) return;
  const files = securityFiles(paths);
  const hint = renewHint(spec, files.dir);
  const ca = await readPem(files.caCert, false, spec, hint);
  const caExpired = validityProblem(ca.certs[0]!, now);
  if (caExpired) throw new ZkpseudoError(`Ensemble "${spec.name}"'s CA (${files.caCert}) cannot be used: ${caExpired.replace('its certificate', 'it')}.`, hint);
  const store = await readPem(files.serverStore(id), true, spec, hint);
  const problem = keyStoreProblem(store, ca.certs[0]!, now);
  if (problem) throw new ZkpseudoError(`Server ${id} of ensemble "${spec.name}" cannot start securely: ${files.serverStore(id)}: ${problem}.`, hint);
}
