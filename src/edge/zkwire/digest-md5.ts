/**
 * The client side of SASL DIGEST-MD5 (RFC 2831), as ZooKeeper's servers speak it (pure: the
 * nonce comes in as a parameter, so a test can replay a known exchange). Only what ZooKeeper
 * uses: qop "auth" (authentication, no integrity layer), charset utf-8, no authzid; the
 * service is "zookeeper" on host "zk-sasl-md5" (ZooKeeperSaslClient/SecurityUtils).
 */
import { createHash } from 'node:crypto';

export const DIGEST_URI = 'zookeeper/zk-sasl-md5';

/** `realm="x",nonce="y",qop="auth",…` → its fields (quoted values unescaped). */
export function parseDirectives(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m[0].length) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim();
  return out;
}

const md5 = (...parts: (string | Buffer)[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};
const hex = (b: Buffer) => b.toString('hex');
const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

export interface DigestExchange {
  /** The response to send for the server's challenge. */
  response: Buffer;
  /** The `rspauth` the server must send back: proof it knows the password too. */
  expectedRspauth: string;
}

/** A problem with the server's challenge (one zkpseudo cannot answer), in words. */
export class DigestChallengeError extends Error {}

/** Answers the server's first challenge for `user`/`password`; `cnonce` is random in use, fixed in tests. */
export function answerChallenge(challenge: Buffer, user: string, password: string, cnonce: string, digestUri = DIGEST_URI): DigestExchange {
  const c = parseDirectives(challenge.toString('utf8'));
  const nonce = c.nonce;
  if (!nonce) throw new DigestChallengeError(`the server's DIGEST-MD5 challenge has no nonce: ${challenge.toString('utf8').slice(0, 200)}`);
  const qops = (c.qop ?? 'auth').split(',').map((q) => q.trim());
  if (!qops.includes('auth')) throw new DigestChallengeError(`the server offers only qop ${qops.join(', ')}; zkpseudo speaks qop auth`);
  const realm = c.realm ?? '';
  const nc = '00000001';
  const a1 = Buffer.concat([md5(`${user}:${realm}:${password}`), Buffer.from(`:${nonce}:${cnonce}`)]);
  const ha1 = hex(md5(a1));
  const kd = (a2: string) => hex(md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${hex(md5(a2))}`));
  const fields = [
    `charset=utf-8`, `username=${quote(user)}`, ...(c.realm !== undefined ? [`realm=${quote(realm)}`] : []), `nonce=${quote(nonce)}`,
    `nc=${nc}`, `cnonce=${quote(cnonce)}`, `digest-uri=${quote(digestUri)}`, `maxbuf=65536`, `response=${kd(`AUTHENTICATE:${digestUri}`)}`, `qop=auth`,
  ];
  return { response: Buffer.from(fields.join(','), 'utf8'), expectedRspauth: kd(`:${digestUri}`) };
}

/** Whether the server's final message proves it knew the password. */
export function checkRspauth(message: Buffer, exchange: DigestExchange): boolean {
  return parseDirectives(message.toString('utf8')).rspauth === exchange.expectedRspauth;
}
