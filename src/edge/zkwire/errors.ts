/** How a zkwire call failed, in words a user can act on (pure: Node's error codes in, sentences out). */
import { ZkpseudoError } from '../../errors.js';
import { ERROR_NAMES } from './records.js';

export type WireFailure = 'refused' | 'tls' | 'closed' | 'timeout' | 'sasl' | 'keeper' | 'protocol';

/** A failure of zkpseudo's own ZooKeeper client; `kind` says which layer, `code` the server's error code for `keeper`. */
export class ZkWireError extends ZkpseudoError {
  readonly kind: WireFailure;
  readonly code?: number;
  readonly codeName?: string;
  /** For a multi that failed: which of its operations (from 0) ZooKeeper refused. */
  opIndex?: number;
  constructor(kind: WireFailure, message: string, hint: string, code?: number) {
    super(message, hint);
    this.name = 'ZkWireError';
    this.kind = kind;
    if (code !== undefined) {
      this.code = code;
      this.codeName = ERROR_NAMES[code] ?? `error ${code}`;
    }
  }
}

/** A reply's error code as a ZkWireError naming the operation and path. */
export function keeperError(code: number, what: string): ZkWireError {
  const name = ERROR_NAMES[code] ?? `error ${code}`;
  const hint = code === -102 ? 'The znode\'s ACL does not let this user do that; authenticate as a user it allows (or as super).'
    : code === -124 ? 'The server requires SASL: connect with the ensemble\'s SASL user (`zkpseudo env` names it).'
    : code === -115 ? 'Check the user and password (`zkpseudo env` prints the ensemble\'s).'
    : 'See ZooKeeper\'s KeeperException codes for what it means.';
  return new ZkWireError('keeper', `${what}: ${name} (${code})`, hint, code);
}

const CA_PROBLEMS = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED']);

/**
 * What a TLS failure means for a connection to `where`: the server's certificate (expired, not
 * signed by the trusted CA, for another host) or this client's (refused by the server, which
 * says so with a TLS alert), or a port that does not speak TLS.
 */
export function describeTlsError(err: NodeJS.ErrnoException, where: string): { message: string; hint: string } {
  const code = err.code ?? '';
  const said = err.message;
  if (code === 'CERT_HAS_EXPIRED') return { message: `${where}: the server's certificate has expired (${said})`, hint: 'Give the server a valid certificate; for a zkpseudo ensemble, `zkpseudo down --purge` and a new `up --tls` make new ones.' };
  if (code === 'CERT_NOT_YET_VALID') return { message: `${where}: the server's certificate is not valid yet (${said})`, hint: 'Check the clock, or the certificate\'s notBefore.' };
  if (CA_PROBLEMS.has(code)) return { message: `${where}: the server's certificate is not signed by the CA this client trusts (${said})`, hint: 'The server and the client must share one CA: use the ensemble\'s own ca.pem (`zkpseudo env` prints ZK_TLS_CA).' };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { message: `${where}: the server's certificate does not name this host (${said})`, hint: 'Its certificate needs the SANs localhost and 127.0.0.1, as zkpseudo makes them.' };
  if (/ALERT_CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_EXPIRED|ALERT_CERTIFICATE_UNKNOWN|ALERT_ACCESS_DENIED|ALERT_DECRYPT_ERROR/.test(code)) {
    return { message: `${where}: the server refused this client's certificate (TLS alert ${code.replace(/^ERR_SSL_(SSLV3_|TLSV1_|TLSV13_)?ALERT_/, '').toLowerCase().replace(/_/g, ' ')})`, hint: 'Present a certificate signed by the ensemble\'s CA (`zkpseudo env` prints ZK_TLS_CERT and ZK_TLS_KEY); servers made with the default --tls-client-auth need one.' };
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') return { message: `${where} does not speak TLS (${said})`, hint: 'Connect with TLS to the secure port only, the plain port without it (`zkpseudo env` prints both).' };
  return { message: `${where}: the TLS handshake failed (${code || said})`, hint: 'The server\'s log says why (`zkpseudo logs ID`).' };
}
