/**
 * JAAS files for SASL DIGEST-MD5 and the Java client settings file (pure: users and paths in,
 * text out). Passwords live only in these 0600 files, never on a command line: zkServer.sh
 * and zkCli.sh put their JVM flags on the java command line, which `ps` shows to everyone.
 */
import { APP_USER, JAAS_SECTIONS, QUORUM_USER, SUPER_USER } from '../../zk/config/security-cfg.js';
import { escapePropertyValue } from '../../zk/config/properties.js';

const MODULE = 'org.apache.zookeeper.server.auth.DigestLoginModule';

/** The generated users: `super` (bypasses every ACL), `app` (what clients use), `quorum` (servers among themselves). */
export interface SaslUsers {
  [SUPER_USER]: string;
  [APP_USER]: string;
  [QUORUM_USER]: string;
}

/** Passwords are base64url, so they need no quoting in JAAS or in java.util.Properties. */
export const PASSWORD_SHAPE = /^[A-Za-z0-9_-]{16,64}$/;

function section(name: string, options: Record<string, string>): string {
  const lines = Object.entries(options).map(([k, v]) => `  ${k}="${v}"`);
  return `${name} {\n  ${MODULE} required\n${lines.join('\n')};\n};\n`;
}

/** A server's JAAS file: the users clients may log in as, and the quorum user on both ends of a quorum link. */
export function serverJaas(users: SaslUsers, quorumSasl: boolean): string {
  const head = '// Written by zkpseudo: the SASL users of this server (DIGEST-MD5). Keep it 0600.\n';
  const client = section(JAAS_SECTIONS.server, { [`user_${SUPER_USER}`]: users.super, [`user_${APP_USER}`]: users.app });
  if (!quorumSasl) return head + client;
  return head + client
    + section(JAAS_SECTIONS.quorumServer, { [`user_${QUORUM_USER}`]: users.quorum })
    + section(JAAS_SECTIONS.quorumLearner, { username: QUORUM_USER, password: users.quorum });
}

/** A client JAAS file: one `Client` section logging in as `user`. */
export function clientJaas(user: string, password: string): string {
  return `// Written by zkpseudo: a ZooKeeper client logs in as "${user}" (DIGEST-MD5). Keep it 0600.\n${section(JAAS_SECTIONS.client, { username: user, password })}`;
}

export interface JavaClientSettings {
  tls?: { keyStore: string; trustStore: string; trustStorePassword: string };
  sasl: boolean;
  /** 3.9+: FIPS mode refuses DIGEST-MD5 unless turned off. */
  fipsOff: boolean;
}

/**
 * The client configuration Java clients read (`zkCli.sh -client-configuration FILE`, or
 * `new ZKClientConfig(FILE)`): TLS through the Netty client socket, the PEM key store and the
 * JKS trust store. The JAAS file itself can only be named by the system property
 * java.security.auth.login.config (a path, harmless on a command line).
 */
export function javaClientConfig(s: JavaClientSettings): string {
  const lines = ['# Written by zkpseudo: ZooKeeper client settings for Java clients. Keep it 0600.'];
  const put = (k: string, v: string) => lines.push(`${k}=${escapePropertyValue(v)}`);
  if (s.tls) {
    put('zookeeper.client.secure', 'true');
    put('zookeeper.clientCnxnSocket', 'org.apache.zookeeper.ClientCnxnSocketNetty');
    put('zookeeper.ssl.keyStore.location', s.tls.keyStore);
    put('zookeeper.ssl.trustStore.location', s.tls.trustStore);
    put('zookeeper.ssl.trustStore.password', s.tls.trustStorePassword);
  }
  put('zookeeper.sasl.client', String(s.sasl));
  if (s.fipsOff) put('zookeeper.fips-mode', 'false');
  return `${lines.join('\n')}\n`;
}
