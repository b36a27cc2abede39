/**
 * A secured ensemble's export (pure): the zoo.cfg keys and JVM flags zkpseudo gives its own
 * servers (zk/config/security-cfg), with paths where an engine mounts the user's secrets instead of
 * this machine's files. No key, certificate or password is ever written: the export names the
 * secrets and the files in them, and the user makes them from their own CA and users.
 *
 * What the user provides (the same files for every engine; see README "Beyond one machine"):
 * - `ca.pem`: the CA certificate(s) that signed the servers' certificates (and the clients').
 * - a PEM key store per server (Compose) or one for all (Kubernetes): the unencrypted PKCS#8
 *   private key, then its certificate and the chain, in one file — ZooKeeper's PEM key store,
 *   the format zkpseudo's own `server-N.pem` has. Its certificate must name the host names the
 *   other servers and the clients reach it by (subject alternative names).
 * - `jaas.conf` (SASL): the Server section (`user_super`, `user_app`, …), and with quorum SASL the
 *   QuorumServer (`user_quorum`) and QuorumLearner (`username="quorum"`, its password) sections.
 */
import type { SecuritySpec } from '../options/types.js';
import { JAAS_SECTIONS, QUORUM_USER, securityCfgLines, securityJvmFlags, SUPER_USER } from '../zk/config/security-cfg.js';
import { versionFacts } from '../zk/version-facts.js';
import type { ExportModel } from './model.js';

/** Where a container finds the user's secrets. */
export interface SecretPaths {
  /** The servers' PEM key store (private key, certificate, chain). */
  keyStore: string;
  /** The CA certificate(s), PEM: the trust store. */
  trustStore: string;
  /** The JAAS file. */
  jaas: string;
}

/** The port a server's TLS listener has in its container (ZooKeeper's documentation uses 2281). */
export const SECURE_CLIENT_PORT = 2281;

/** The files a user provides, by purpose: the names every comment and the README use. */
export const SECRET_FILES = { trustStore: 'ca.pem', keyStore: 'server.pem', jaas: 'jaas.conf' } as const;

/** Client TLS with the plain client port closed: no clientPort, no `;2181` in server lines. */
export const tlsOnly = (model: ExportModel): boolean => !!model.security?.tls?.only;

/** Whether the ensemble's plain client port stays open. */
export const plainClientPort = (model: ExportModel): boolean => !tlsOnly(model);

/**
 * The security keys of every server's zoo.cfg, unescaped, in zkpseudo's order: the same keys and
 * values as its own rendering, except the paths (the engine's mounts) and the TLS listener's
 * port and address (the container's: 2281 on every address, where zkpseudo binds 127.0.0.1).
 */
export function securitySettings(model: ExportModel, paths: SecretPaths): [key: string, value: string][] {
  const security = model.security;
  if (!security) return [];
  const only = !!security.tls?.only;
  // A stand-in member: only its client ports matter to the keys (the TLS port is the container's).
  const self = { id: 1, peerType: 'participant' as const, ports: { client: only ? SECURE_CLIENT_PORT : 2181, quorum: 2888, election: 3888, ...(only ? {} : { secureClient: SECURE_CLIENT_PORT }) } };
  return securityCfgLines({ security, facts: versionFacts(model.version), self, keyStore: paths.keyStore, trustStore: paths.trustStore })
    // zkpseudo binds its TLS listener to 127.0.0.1; a container's must listen on its own addresses.
    .filter(({ key }) => key !== 'secureClientPortAddress')
    .map(({ key, value }) => [key, value]);
}

/** The JVM flags a secured server needs beyond zoo.cfg: the JAAS file (a path), FIPS mode off where it refuses DIGEST-MD5. */
export function securityJvm(model: ExportModel, paths: SecretPaths): string[] {
  return securityJvmFlags(model.security, versionFacts(model.version), paths.jaas);
}

/** The sentence each target's comments use for a JAAS file's expected contents. */
export function jaasContents(security: SecuritySpec | undefined, quorumSasl: boolean): string {
  if (!security?.sasl) return '';
  const quorum = quorumSasl ? `, ${JAAS_SECTIONS.quorumServer} (user_${QUORUM_USER}="…") and ${JAAS_SECTIONS.quorumLearner} (username="${QUORUM_USER}" password="…", the same password)` : '';
  return `sections ${JAAS_SECTIONS.server} (user_${SUPER_USER}="…" for the super user zoo.cfg names, and user_<name>="…" for each client user)${quorum}, each with org.apache.zookeeper.server.auth.DigestLoginModule required`;
}
