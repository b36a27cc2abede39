/**
 * How zkpseudo's own commands reach a secured ensemble — the one client factory every command
 * uses (check; reset, seed, dump and namespaces on TLS-only or SASL ensembles): which port and transport
 * for a server, which certificate and SASL user, read from the ensemble's security/ files.
 */
import { readFile } from 'node:fs/promises';
import type { FourLetterTls } from '../../edge/fourlw.js';
import { sendFourLetterWord } from '../../edge/fourlw.js';
import { connect, type Session } from '../../edge/zkwire/session.js';
import { ZkpseudoError } from '../../errors.js';
import type { EnsembleSpec, Member } from '../../options/types.js';
import { APP_USER, SUPER_USER } from '../../zk/config/security-cfg.js';
import type { EnsemblePaths } from '../store/layout.js';
import { securityFiles } from './files.js';
import { readUsers } from './material.js';
import { clientEndpoint } from './endpoints.js';

export interface ClientSecurity {
  /** CA, client certificate and key, for TLS ports. */
  tls?: FourLetterTls;
  /** The SASL user and password, on an ensemble made with --sasl. */
  sasl?: { user: string; password: string };
}

async function read(file: string, spec: EnsembleSpec): Promise<string> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ZkpseudoError(
      `Cannot read ${file} (${err.code ?? err.message}): ensemble "${spec.name}" is secured and its clients need it.`,
      `Restore the file, or start afresh with \`zkpseudo down --purge --name ${spec.name}\` and a new \`up\`.`,
    );
  });
}

/** What a client of this ensemble presents: its TLS material and (by default the application's) SASL user. */
export async function clientSecurity(paths: EnsemblePaths, spec: EnsembleSpec, as: 'app' | 'super' = 'app'): Promise<ClientSecurity> {
  const sec = spec.security;
  if (!sec) return {};
  const files = securityFiles(paths);
  const out: ClientSecurity = {};
  if (sec.tls) {
    const [ca, cert, key] = await Promise.all([read(files.caCert, spec), read(files.clientCert, spec), read(files.clientKey, spec)]);
    out.tls = { ca, cert, key };
  }
  if (sec.sasl) {
    const users = await readUsers(paths, spec);
    out.sasl = as === 'super' ? { user: SUPER_USER, password: users.super } : { user: APP_USER, password: users.app };
  }
  return out;
}

export interface SessionOptions {
  /** Log in as the super user instead of the application user (reset and the like). */
  as?: 'app' | 'super';
  /** Use the plain port even where a TLS port exists (the default takes TLS: production's path). */
  plain?: boolean;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Security already read (a command opening many sessions reads the files once). */
  security?: ClientSecurity;
}

/** A session with server `member`, over TLS where the ensemble has it, authenticated where it has SASL. */
export async function openSession(paths: EnsemblePaths, spec: EnsembleSpec, member: Member, opts: SessionOptions = {}): Promise<Session> {
  const security = opts.security ?? (await clientSecurity(paths, spec, opts.as));
  const endpoint = clientEndpoint(spec, member, opts.plain ? 'plain' : 'secure');
  return connect({
    port: endpoint.port,
    ...(endpoint.tls && security.tls ? { tls: security.tls } : {}),
    ...(security.sasl ? { sasl: security.sasl } : {}),
    ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
  });
}

/**
 * How zkpseudo asks a server a four-letter word: on its plain client port, or over TLS with the
 * ensemble's client certificate where TLS only closed it. `secure` is read once by the caller
 * (fourLetterTls) so a status poll does not read the files per server.
 */
export function askServer(spec: EnsembleSpec, member: Member, word: string, timeoutMs: number, secure?: FourLetterTls): Promise<string> {
  const tlsOnly = !!spec.security?.tls?.only;
  return sendFourLetterWord(member.ports.client, word, timeoutMs, '127.0.0.1', tlsOnly ? secure : undefined);
}

/** The TLS material four-letter words need: only on a TLS-only ensemble (elsewhere the plain port answers). */
export async function fourLetterTls(paths: EnsemblePaths, spec: EnsembleSpec): Promise<FourLetterTls | undefined> {
  if (!spec.security?.tls?.only) return undefined;
  return (await clientSecurity(paths, spec)).tls;
}
