/**
 * Everything that differs between ZooKeeper releases, answered in one place (pure; ZK-NOTES).
 * Features ask `versionFacts(v)` instead of comparing version numbers themselves, so a new
 * release line is taught to zkpseudo here and nowhere else. Checked against real builds of
 * 3.4.13, 3.8.0 and 3.9.3 (test/e2e/versions.test.ts).
 */
import { APACHE_ARCHIVE, APACHE_CDN, atLeast, compareZkVersions, type ZkVersion } from './versions.js';
import { FOUR_LETTER_WHITELIST_KEY } from './config/keys.js';

/** A logging configuration a copy may carry, and the system property that names it to the JVM. */
export interface LoggingConfig {
  file: 'logback.xml' | 'log4j.properties';
  /** `-D…` naming the file at `absPath`. */
  property(absPath: string): string;
}

const LOGBACK: LoggingConfig = { file: 'logback.xml', property: (p) => `-Dlogback.configurationFile=${p}` };
const LOG4J: LoggingConfig = { file: 'log4j.properties', property: (p) => `-Dlog4j.configuration=file:${p}` };

/** How a release's binary tarball is named and laid out. */
export interface TarballFacts {
  /** `apache-zookeeper-X-bin.tar.gz` (3.5.5+) or `zookeeper-X.tar.gz`. */
  name: string;
  /** The single top-level directory inside it. */
  topDir: string;
  /** `zookeeper-X.jar` sits at the top level, `lib/` beside it (before 3.5.5); else in `lib/`. */
  jarAtTop: boolean;
}

export interface VersionFacts {
  tarball: TarballFacts;
  /** `server.N=…;127.0.0.1:client` (3.5+); older releases take `clientPort` only and reject the suffix. */
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
  const binTarball = atLeast(v, 3, 5, 5);
  return {
    tarball: binTarball
      ? { name: `apache-zookeeper-${v.text}-bin.tar.gz`, topDir: `apache-zookeeper-${v.text}-bin`, jarAtTop: false }
      : { name: `zookeeper-${v.text}.tar.gz`, topDir: `zookeeper-${v.text}`, jarAtTop: true },
    serverLineHasClient: modern,
    adminServer: modern,
    fourLetterWhitelist: modern,
    mntrPeerState: atLeast(v, 3, 6, 0),
    minimumJava: atLeast(v, 3, 10, 0) ? 17 : atLeast(v, 3, 5, 4) ? 8 : 7,
    // 3.4's client fails with UnresolvedAddressException on Java 14 and later: it parses
    // InetSocketAddress.toString(), whose format Java 14 changed (fixed in 3.5.8/3.6.1 only).
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

/** `apache-zookeeper-X-bin.tar.gz` from 3.5.5, `zookeeper-X.tar.gz` before. */
export const tarballName = (v: ZkVersion): string => versionFacts(v).tarball.name;

/** The single top-level directory inside the tarball. */
export const tarballTopDir = (v: ZkVersion): string => versionFacts(v).tarball.topDir;

/** Where a release sits below an Apache-dist-shaped base URL (a mirror, the CDN or the archive). */
export function releaseUrl(base: string, v: ZkVersion, file = tarballName(v)): string {
  const root = base.endsWith('/') ? base : `${base}/`;
  return new URL(`zookeeper/zookeeper-${v.text}/${file}`, root).toString();
}

/**
 * Candidate download URLs, in the order to try them: the mirror if any, then the CDN (which
 * holds current releases only), then the archive (which holds all of them).
 */
export function downloadUrls(v: ZkVersion, mirror?: string): string[] {
  const bases = [...(mirror ? [mirror] : []), APACHE_CDN, APACHE_ARCHIVE];
  return bases.map((b) => releaseUrl(b, v));
}

/**
 * Why an extra zoo.cfg key means nothing to release `v`, or undefined when it does. ZooKeeper
 * turns a key it does not know into a system property without a word, so an option that
 * would be silently ignored is refused instead.
 */
export function keyIgnoredBy(v: ZkVersion, key: string): string | undefined {
  const facts = versionFacts(v);
  if (!facts.fourLetterWhitelist && key === FOUR_LETTER_WHITELIST_KEY) return `ZooKeeper ${v.text} has no four-letter-word whitelist (every word is always allowed before 3.5)`;
  if (!facts.adminServer && key.startsWith('admin.')) return `ZooKeeper ${v.text} has no AdminServer (it came with 3.5)`;
  return undefined;
}

/**
 * Why a server's data directory cannot move from release `from` to `to` by restarting it on
 * the new release (a rolling upgrade or downgrade), or undefined when it can. Crossing from
 * 3.4 to 3.5+ is refused: 3.5 refuses a data dir with transaction logs but no snapshot,
 * 3.4 rejects the 3.5 server-line shape, and the mix is not tested here.
 */
export function dataDirMoveProblem(from: ZkVersion, to: ZkVersion): string | undefined {
  if (versionFacts(from).serverLineHasClient !== versionFacts(to).serverLineHasClient) {
    return `moving between ZooKeeper 3.4 and 3.5 or later (${from.text} → ${to.text}) is not a rolling upgrade zkpseudo can do: 3.5 refuses 3.4 data without a snapshot, and the two read different zoo.cfg shapes`;
  }
  return undefined;
}

/** True when going from `from` to `to` is a downgrade (an older release). */
export function isDowngrade(from: ZkVersion, to: ZkVersion): boolean {
  return compareZkVersions(to, from) < 0;
}

function saslEnforcement(v: ZkVersion): { saslEnforcementKeys?: Record<string, string> } {
  if (atLeast(v, 3, 7, 0)) return { saslEnforcementKeys: { 'enforce.auth.enabled': 'true', 'enforce.auth.schemes': 'sasl' } };
  if (atLeast(v, 3, 5, 9)) return { saslEnforcementKeys: { sessionRequireClientSASLAuth: 'true' } };
  return {};
}

/** Every logging configuration any release may carry (for code that has a copy but no version). */
export const ALL_LOGGING_CONFIGS: LoggingConfig[] = [LOGBACK, LOG4J];
