/**
 * The zoo.cfg keys of a secured server (pure: the spec and the files' paths in, lines out).
 * Names checked against ZooKeeper's sources (QuorumPeerConfig, X509Util/ClientX509Util/
 * QuorumX509Util, AuthenticationHelper, ZooKeeperServer, QuorumAuth); keys QuorumPeerConfig
 * does not parse itself become `zookeeper.<key>` system properties, which is how ZooKeeper
 * reads `ssl.*`, `authProvider.N`, `enforce.auth.*` and `superUser`.
 */
import type { Member, SecuritySpec } from '../../options/types.js';
import type { VersionFacts } from '../version-facts.js';

/** Netty is the only connection factory that speaks TLS (NIO has no TLS). */
export const NETTY_FACTORY = 'org.apache.zookeeper.server.NettyServerCnxnFactory';
export const SASL_PROVIDER = 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider';
/** The SASL user ZooKeeper treats as super (`zookeeper.superUser`): it bypasses every ACL. */
export const SUPER_USER = 'super';
/** The application user clients log in as. */
export const APP_USER = 'app';
/** The user servers log in as to each other (QuorumLearner → QuorumServer). */
export const QUORUM_USER = 'quorum';
/** The JAAS sections a server reads (ZooKeeper's defaults, written out so the file says it). */
export const JAAS_SECTIONS = { server: 'Server', client: 'Client', quorumServer: 'QuorumServer', quorumLearner: 'QuorumLearner' } as const;

export interface SecurityCfgInput {
  security: SecuritySpec;
  facts: VersionFacts;
  self: Member;
  /** This server's PEM key store (private key and certificate chain in one file). */
  keyStore: string;
  /** The PEM trust store: the ensemble's CA certificate. */
  trustStore: string;
}

export interface KeyValue {
  key: string;
  value: string;
}

/** The port clients reach a server's TLS listener on: its own secure port, or (TLS only) its client port. */
export function secureClientPort(security: SecuritySpec | undefined, member: Member): number | undefined {
  if (!security?.tls) return undefined;
  return security.tls.only ? member.ports.client : member.ports.secureClient;
}

/** The port plain (non-TLS) clients use, or undefined when TLS only closed it. */
export function plainClientPort(security: SecuritySpec | undefined, member: Member): number | undefined {
  return security?.tls?.only ? undefined : member.ports.client;
}

/** Every security key of one server's zoo.cfg, in a fixed order (same input, same bytes). */
export function securityCfgLines(input: SecurityCfgInput): KeyValue[] {
  const { security, facts } = input;
  const out: KeyValue[] = [];
  const put = (key: string, value: string) => out.push({ key, value });
  if (security.tls) {
    put('serverCnxnFactory', NETTY_FACTORY);
    put('secureClientPort', String(secureClientPort(security, input.self)));
    put('secureClientPortAddress', '127.0.0.1');
    // PEM stores are recognised by their .pem extension; an unencrypted PKCS#8 key needs no password.
    put('ssl.keyStore.location', input.keyStore);
    put('ssl.trustStore.location', input.trustStore);
    put('ssl.clientAuth', security.tls.clientAuth);
    put('sslQuorum', 'true');
    put('ssl.quorum.keyStore.location', input.keyStore);
    put('ssl.quorum.trustStore.location', input.trustStore);
  }
  if (security.sasl) {
    put('authProvider.1', SASL_PROVIDER);
    for (const [key, value] of Object.entries(facts.saslEnforcementKeys ?? {})) put(key, value);
    put('superUser', SUPER_USER);
    if (facts.quorumSasl) {
      put('quorum.auth.enableSasl', 'true');
      put('quorum.auth.learnerRequireSasl', 'true');
      put('quorum.auth.serverRequireSasl', 'true');
      put('quorum.auth.learner.saslLoginContext', JAAS_SECTIONS.quorumLearner);
      put('quorum.auth.server.saslLoginContext', JAAS_SECTIONS.quorumServer);
    }
  }
  return out;
}

/**
 * JVM flags a secured server needs that zoo.cfg cannot carry: where its JAAS file is (a path,
 * never a password: zkServer.sh puts SERVER_JVMFLAGS on the java command line, which `ps`
 * shows), and FIPS mode off where it defaults on (3.9+), since it refuses DIGEST-MD5.
 */
export function securityJvmFlags(security: SecuritySpec | undefined, facts: VersionFacts, jaasFile: string): string[] {
  if (!security?.sasl) return [];
  return [`-Djava.security.auth.login.config=${jaasFile}`, ...(facts.fipsModeDefault ? ['-Dzookeeper.fips-mode=false'] : [])];
}

/** What a release can do of what was asked: a refusal (TLS it lacks) or notices (SASL it cannot enforce). */
export function securitySupport(security: SecuritySpec, facts: VersionFacts, version: string): { refusal?: string; notices: string[] } {
  if (security.tls && !facts.tls) return { refusal: `ZooKeeper ${version} has no TLS for both clients and the quorum with PEM key stores (3.5.5 and later have)`, notices: [] };
  const notices: string[] = [];
  if (security.sasl && !facts.saslEnforcementKeys) notices.push(`ZooKeeper ${version} cannot refuse clients that skip SASL (3.5.9 and later can): SASL is offered, not enforced.`);
  if (security.sasl && !facts.quorumSasl) notices.push(`ZooKeeper ${version} has no quorum SASL (3.4.10 and later have): servers talk to each other without it.`);
  return { notices };
}
