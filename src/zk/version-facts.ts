/**
 * Everything that differs between ZooKeeper releases, answered in one place (pure; ZK-NOTES).
 * Features ask `versionFacts(v)` instead of comparing version numbers themselves, so a new
 * release line is taught to zkpseudo here and nowhere else.
 */
import { atLeast, type ZkVersion } from './versions.js';

/** A logging configuration a copy may carry, and the system property that names it to the JVM. */
export interface LoggingConfig {
  file: 'logback.xml' | 'log4j.properties';
  /** `-D…` naming the file at `absPath`. */
  property(absPath: string): string;
}

const LOGBACK: LoggingConfig = { file: 'logback.xml', property: (p) => `-Dlogback.configurationFile=${p}` };
const LOG4J: LoggingConfig = { file: 'log4j.properties', property: (p) => `-Dlog4j.configuration=file:${p}` };

export interface VersionFacts {
  /** `server.N=…;127.0.0.1:client` (3.5+); older releases take `clientPort` only. */
  serverLineHasClient: boolean;
  /** The Jetty AdminServer exists (3.5+; on by default at 0.0.0.0:8080, so it must be configured). */
  adminServer: boolean;
  /** `4lw.commands.whitelist` is read (3.5.3+ whitelists only `srvr` by default; written from 3.5.0, harmless before 3.5.3). */
  fourLetterWhitelist: boolean;
  /** `mntr` names the peer state (`zk_peer_state`, 3.6+). */
  mntrPeerState: boolean;
  /** Lowest Java feature release the server runs on. */
  minimumJava: number;
  /** Highest Java feature release the release's own client (zkCli.sh) can connect from, if bounded. */
  clientMaximumJava?: number;
  /** Logging configurations a copy of this release may carry, in the order to prefer them. */
  loggingConfigs: LoggingConfig[];
  /** Classes that log every four-letter-word connection at INFO; zkpseudo sets them to WARN. */
  noisyConnectionLoggers: string[];
  /** `zkServer.sh stop` sends SIGTERM (3.5.1+) rather than SIGKILL. */
  stopSendsSigterm: boolean;
  /** `zookeeper.fips-mode` is on by default (3.9+), which refuses DIGEST-MD5 for Java clients. */
  fipsModeDefault: boolean;
  /**
   * Client TLS (`secureClientPort` on the Netty connection factory) and quorum TLS (`sslQuorum`),
   * with PEM key and trust stores: 3.5.5+ (3.5.1 had the port but no quorum TLS and no PEM).
   */
  tls: boolean;
  /** Quorum SASL between servers (`quorum.auth.enableSasl` and friends): 3.4.10+. */
  quorumSasl: boolean;
  /**
   * The zoo.cfg keys that make a server close every session that has not authenticated with
   * SASL: `enforce.auth.enabled` + `enforce.auth.schemes` from 3.7, `sessionRequireClientSASLAuth`
   * on 3.5.9–3.6 (ZooKeeper's AuthenticationHelper/ZooKeeperServer read them as `zookeeper.*`
   * properties). Undefined before 3.5.9: no release before can refuse an unauthenticated client
   * (`requireClientAuthScheme`, which old wiki pages name, was never read by any release).
   */
  saslEnforcementKeys?: Record<string, string>;
}

/** The facts for release `v`. */
export function versionFacts(v: ZkVersion): VersionFacts {
  const modern = atLeast(v, 3, 5, 0);
  return {
    serverLineHasClient: modern,
    adminServer: modern,
    fourLetterWhitelist: modern,
    mntrPeerState: atLeast(v, 3, 6, 0),
    minimumJava: atLeast(v, 3, 10, 0) ? 17 : atLeast(v, 3, 5, 4) ? 8 : 7,
    // 3.4's client fails with UnresolvedAddressException on Java 14 and later (never fixed upstream).
    ...(modern ? {} : { clientMaximumJava: 13 }),
    loggingConfigs: atLeast(v, 3, 8, 0) ? [LOGBACK, LOG4J] : [LOG4J],
    noisyConnectionLoggers: [
      'org.apache.zookeeper.server.NIOServerCnxn',
      'org.apache.zookeeper.server.NettyServerCnxn',
      // 3.4 logs "Accepted socket connection" from the factory at INFO for every connection.
      ...(modern ? [] : ['org.apache.zookeeper.server.NIOServerCnxnFactory']),
    ],
    stopSendsSigterm: atLeast(v, 3, 5, 1),
    fipsModeDefault: atLeast(v, 3, 9, 0),
    tls: atLeast(v, 3, 5, 5),
    quorumSasl: atLeast(v, 3, 4, 10),
    ...saslEnforcement(v),
  };
}

function saslEnforcement(v: ZkVersion): { saslEnforcementKeys?: Record<string, string> } {
  if (atLeast(v, 3, 7, 0)) return { saslEnforcementKeys: { 'enforce.auth.enabled': 'true', 'enforce.auth.schemes': 'sasl' } };
  if (atLeast(v, 3, 5, 9)) return { saslEnforcementKeys: { sessionRequireClientSASLAuth: 'true' } };
  return {};
}

/** Every logging configuration any release may carry (for code that has a copy but no version). */
export const ALL_LOGGING_CONFIGS: LoggingConfig[] = [LOGBACK, LOG4J];
