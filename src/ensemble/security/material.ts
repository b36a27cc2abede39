/**
 * Making and keeping a secured ensemble's keys, certificates and users: once, when the ensemble
 * is created (a resumed `up` keeps them), every file written through owned-fs under the
 * ensemble's 0700 security/ directory, secrets 0600.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { chmodOwned, mkdirOwned, writeOwned } from '../../edge/fs/owned-fs.js';
import { object, readBack, str } from '../../edge/fs/decode.js';
import { ZkpseudoError } from '../../errors.js';
import type { EnsembleSpec } from '../../options/types.js';
import { versionFacts } from '../../zk/version-facts.js';
import { parseZkVersion } from '../../zk/versions.js';
import type { EnsemblePaths } from '../store/layout.js';
import { createAuthority, pemCertificates } from './certs.js';
import { securityFiles, type SecurityFiles } from './files.js';
import { clientJaas, javaClientConfig, PASSWORD_SHAPE, serverJaas, type SaslUsers } from './jaas.js';
import { jksTrustStore } from './jks.js';
import { APP_USER, SUPER_USER } from '../../zk/config/security-cfg.js';
import { pathExists } from '../../edge/fs/files.js';

const SECRET = 0o600;

/** A random password: 24 bytes as base64url (32 characters, nothing to quote anywhere). */
export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Makes everything a secured ensemble needs, before its servers are configured: the CA, a key
 * pair per server and one for clients, the JKS trust store, the SASL users, the client JAAS
 * files and the Java client settings. Server JAAS files are written with each zoo.cfg
 * (writeSecuredServerFiles), so a server added or repaired later gets one too.
 */
export async function createSecurityMaterial(paths: EnsemblePaths, spec: EnsembleSpec): Promise<void> {
  const sec = spec.security;
  if (!sec) return;
  const files = securityFiles(paths);
  await mkdirOwned(paths.home, files.dir, 0o700);
  // mkdir's mode is masked by the umask; the directory must be 0700 whatever it is.
  await chmodOwned(paths.home, files.dir, 0o700);
  const put = (file: string, data: string | Uint8Array, mode = SECRET) => writeOwned(paths.home, file, data, { mode });
  const facts = versionFacts(parseZkVersion(spec.zkVersion)!);
  if (sec.tls) {
    const ca = await createAuthority(`zkpseudo CA for ensemble ${spec.name}`);
    await put(files.caCert, ca.cert, 0o644);
    await put(files.caKey, ca.key);
    await Promise.all(spec.members.map(async (m) => {
      const s = await ca.issue(`zkpseudo server ${m.id} of ${spec.name}`);
      // ZooKeeper's PEM key store: the key, then the chain (its certificate, then the CA's).
      await put(files.serverStore(m.id), `${s.key}${s.cert}${ca.cert}`);
    }));
    const client = await ca.issue(`zkpseudo client of ${spec.name}`);
    await put(files.clientCert, `${client.cert}${ca.cert}`, 0o644);
    await put(files.clientKey, client.key);
    await put(files.clientStore, `${client.key}${client.cert}${ca.cert}`);
    const storePassword = newPassword();
    await put(files.trustStorePassword, `${storePassword}\n`);
    await put(files.trustStore, jksTrustStore(pemCertificates(ca.cert).map((der) => ({ alias: 'zkpseudo-ca', der })), storePassword, Date.parse(spec.createdAt)));
  }
  const users: SaslUsers | undefined = sec.sasl ? { super: newPassword(), app: newPassword(), quorum: newPassword() } : undefined;
  if (users) {
    await put(files.users, `${JSON.stringify(users, null, 2)}\n`);
    await put(files.clientJaas, clientJaas(APP_USER, users.app));
    await put(files.superJaas, clientJaas(SUPER_USER, users.super));
  }
  await writeJavaClientConfig(paths, spec, files, facts.fipsModeDefault);
}

async function writeJavaClientConfig(paths: EnsemblePaths, spec: EnsembleSpec, files: SecurityFiles, fipsDefault: boolean): Promise<void> {
  const sec = spec.security!;
  const tls = sec.tls ? { keyStore: files.clientStore, trustStore: files.trustStore, trustStorePassword: await trustStorePassword(files) } : undefined;
  const text = javaClientConfig({ ...(tls ? { tls } : {}), sasl: !!sec.sasl, fipsOff: !!sec.sasl && fipsDefault });
  await writeOwned(paths.home, files.javaClientConfig, text, { mode: SECRET });
}

/** A file of the security dir, named in the error when it is missing or unreadable. */
async function readSecret(file: string, spec: { name: string }): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ZkpseudoError(
      `Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ensemble "${spec.name}" is secured and needs it.`,
      `Restore the file, or start afresh with \`zkpseudo down --purge --name ${spec.name}\` and a new \`up\`, which makes new keys and users.`,
    );
  }
}

export async function trustStorePassword(files: SecurityFiles, spec = { name: '?' }): Promise<string> {
  return (await readSecret(files.trustStorePassword, spec)).trim();
}

const PASSWORD = str('a password as zkpseudo makes them', PASSWORD_SHAPE, 64);
/** users.json as zkpseudo writes it: the three users' passwords, nothing else. */
const USERS = object<SaslUsers>({ super: PASSWORD, app: PASSWORD, quorum: PASSWORD }, { what: 'the users super, app and quorum with their passwords' });

/**
 * The generated users, read back strictly through edge/fs/decode (a value written by zkpseudo is
 * still untrusted once on disk). A damaged file is named and left where it is: its passwords
 * are the servers' too, so only a fresh ensemble makes new ones.
 */
export async function readUsers(paths: EnsemblePaths, spec: { name: string }): Promise<SaslUsers> {
  const file = securityFiles(paths).users;
  const read = await readBack(file, USERS, { maxBytes: 4096 });
  if (read.state === 'ok') return read.value;
  if (read.state === 'missing' || read.code) {
    throw new ZkpseudoError(
      `Cannot read ${file} (${read.state === 'missing' ? 'ENOENT' : read.code}): ensemble "${spec.name}" is secured and needs it.`,
      `Restore the file, or start afresh with \`zkpseudo down --purge --name ${spec.name}\` and a new \`up\`, which makes new keys and users.`,
    );
  }
  throw new ZkpseudoError(
    `${file} is damaged (${read.problems.join('; ')}): it does not hold the users super, app and quorum with their passwords.`,
    `Start afresh with \`zkpseudo down --purge --name ${spec.name}\` and a new \`up\`, which makes new users.`,
  );
}

/** Server `id`'s JAAS file, rewritten with its zoo.cfg on every start (pure text from the users file). */
export async function writeServerJaas(paths: EnsemblePaths, spec: EnsembleSpec, id: number): Promise<void> {
  if (!spec.security?.sasl) return;
  const users = await readUsers(paths, spec);
  const { quorumSasl } = versionFacts(parseZkVersion(spec.zkVersion)!);
  await writeOwned(paths.home, securityFiles(paths).serverJaas(id), serverJaas(users, quorumSasl), { mode: SECRET });
}

/** The files without which a secured ensemble cannot run, by what it was secured with. */
function essentials(spec: EnsembleSpec, files: SecurityFiles): string[] {
  const sec = spec.security!;
  return [
    ...(sec.tls ? [files.caCert, files.trustStore, files.trustStorePassword, files.clientStore, ...spec.members.map((m) => files.serverStore(m.id))] : []),
    ...(sec.sasl ? [files.users, files.clientJaas] : []),
  ];
}

/** Makes the material unless every essential file is there; true when it made it. */
export async function ensureSecurityMaterial(paths: EnsemblePaths, spec: EnsembleSpec): Promise<boolean> {
  if (!spec.security) return false;
  const present = await Promise.all(essentials(spec, securityFiles(paths)).map((f) => pathExists(f)));
  if (present.every(Boolean)) return false;
  await createSecurityMaterial(paths, spec);
  return true;
}
