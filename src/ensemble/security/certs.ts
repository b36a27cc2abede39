/**
 * A throwaway certificate authority and the certificates it signs, made in-process with
 * @peculiar/x509 over Node's WebCrypto (no JVM, no openssl): ECDSA P-256 keys, which
 * ZooKeeper's PEM reader, Java's TLS, Node and Python all take, and which take milliseconds to
 * make where RSA keys take seconds on a busy machine. Keys are PKCS#8 PEM ("BEGIN PRIVATE KEY"),
 * the form ZooKeeper's PEM key store reads without a password.
 */
import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface Issued {
  /** The certificate (PEM). */
  cert: string;
  /** Its private key, PKCS#8 PEM. */
  key: string;
}

export interface CertificateAuthority extends Issued {
  /** Signs a certificate for `name` with SANs localhost and 127.0.0.1. */
  issue(name: string, opts?: IssueOptions): Promise<Issued>;
}

export interface IssueOptions {
  /** Validity, default from an hour ago (clock skew) to ten years on. */
  notBefore?: Date;
  notAfter?: Date;
}

type X509 = typeof import('@peculiar/x509');
let loaded: Promise<X509> | undefined;

/** The library, loaded on first use only: `status` and the other commands never pay for it. */
function x509(): Promise<X509> {
  loaded ??= (async () => {
    // @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
    await import('reflect-metadata');
    const lib = await import('@peculiar/x509');
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    return lib;
  })();
  return loaded;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
}

const serial = () => `7${Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString('hex')}`;

function validity(opts: IssueOptions = {}): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: opts.notBefore ?? new Date(now - 3_600_000), notAfter: opts.notAfter ?? new Date(now + 3650 * DAY_MS) };
}

/** A new CA named `name` (its subject's CN), able to issue certificates. */
export async function createAuthority(name: string, opts: IssueOptions = {}): Promise<CertificateAuthority> {
  const lib = await x509();
  const keys = await keyPair();
  const ca = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    ...validity(opts),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return authority(lib, ca, keys.privateKey, await pkcs8Pem(keys.privateKey));
}

/** A CA loaded back from its PEM certificate and key (to issue more certificates later). */
export async function loadAuthority(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const lib = await x509();
  const der = Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const key = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
  return authority(lib, new lib.X509Certificate(certPem), key, keyPem);
}

function authority(lib: X509, ca: InstanceType<X509['X509Certificate']>, signingKey: CryptoKey, keyPem: string): CertificateAuthority {
  return {
    cert: pemText(ca.toString('pem')),
    key: keyPem,
    async issue(name, opts = {}) {
      const keys = await keyPair();
      const cert = await lib.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${name}`,
        issuer: ca.subject,
        ...validity(opts),
        publicKey: keys.publicKey,
        signingKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
          new lib.BasicConstraintsExtension(false, undefined, true),
          new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature | lib.KeyUsageFlags.keyAgreement, true),
          // Servers are TLS clients of each other on the quorum links, so every certificate serves both ends.
          new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth, lib.ExtendedKeyUsage.clientAuth]),
          // ZooKeeper verifies host names (ssl.hostnameVerification defaults to true) and every listener binds 127.0.0.1.
          new lib.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }]),
          await lib.AuthorityKeyIdentifierExtension.create(ca, false),
        ],
      });
      return { cert: pemText(cert.toString('pem')), key: await pkcs8Pem(keys.privateKey) };
    },
  };
}

/** PEM ending in a newline, so files that chain several certificates (and keys) stay parseable by every reader. */
function pemText(pem: string): string {
  return `${pem.replace(/\r\n/g, '\n').trimEnd()}\n`;
}

/** PEM certificates → DER bytes, in order (for the JKS trust store). */
export function pemCertificates(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s/g, ''), 'base64'));
}
