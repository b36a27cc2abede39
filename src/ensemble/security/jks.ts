/**
 * A JKS trust store holding trusted certificates (pure: certificates and password in, bytes
 * out), for Java clients that want a key store file rather than PEM. Written here rather than
 * with keytool, which costs a JVM start (1–3 s on this machine) on every new ensemble; the
 * format is small and fixed (Sun's JavaKeyStore, version 2): magic, version, entries, then a
 * SHA-1 over the password (UTF-16BE), the salt "Mighty Aphrodite" and everything before it.
 * A PKCS12 trust store made outside keytool would not do: Java ignores certificates in one
 * unless they carry Oracle's trusted-key-usage attribute.
 */
import { createHash } from 'node:crypto';

const MAGIC = 0xfeedfeed;
const VERSION = 2;
const TRUSTED_CERT = 2;

/** Java's modified UTF-8 for the strings a key store holds (ASCII aliases: plain UTF-8 with a length). */
function utf(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

const int = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
const long = (n: number) => { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(n)); return b; };

/** A JKS file trusting each certificate (DER), under the given aliases; `createdMs` makes it reproducible. */
export function jksTrustStore(certs: { alias: string; der: Buffer }[], password: string, createdMs: number): Buffer {
  const parts: Buffer[] = [int(MAGIC), int(VERSION), int(certs.length)];
  for (const c of certs) parts.push(int(TRUSTED_CERT), utf(c.alias.toLowerCase()), long(createdMs), utf('X.509'), int(c.der.length), c.der);
  const body = Buffer.concat(parts);
  const pw = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), i * 2);
  const digest = createHash('sha1').update(pw).update(Buffer.from('Mighty Aphrodite', 'utf8')).update(body).digest();
  return Buffer.concat([body, digest]);
}
