/**
 * A client refused by a secured server, named from the server's own log: the client sees a
 * closed connection or a bare TLS alert, the server's log says why (no certificate, an expired
 * one, plaintext on the TLS port, a wrong password). Never a timeout where a reason exists.
 */
import { ZkWireError } from '../../edge/zkwire/errors.js';
import { ZkpseudoError } from '../../errors.js';
import type { EnsembleSpec, Member } from '../../options/types.js';
import { findRefusal, refusalReason } from '../../zk/logs/security-log.js';
import { logTail } from '../observe/logs.js';
import type { EnsemblePaths } from '../store/layout.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The reason server `id` logged for refusing a client since `sinceMs`, waiting up to a second for the line to be written. */
export async function serverRefusal(paths: EnsemblePaths, id: number, sinceMs: number): Promise<string | undefined> {
  for (let i = 0; i < 6; i++) {
    // The server logs a refusal a moment after it closes the connection: read after it.
    await sleep(150);
    const reason = refusalReason(await logTail(paths, id, 400).catch(() => ''), sinceMs);
    if (reason) return reason;
  }
  return undefined;
}

/** `err` from connecting to `member` (an attempt begun at `sinceMs`), with the server's logged reason added where it has one. */
export async function explainClientFailure(paths: EnsemblePaths, spec: EnsembleSpec, member: Member, err: unknown, sinceMs: number): Promise<unknown> {
  if (!(err instanceof ZkWireError) || !['tls', 'closed', 'sasl', 'keeper'].includes(err.kind)) return err;
  const reason = await serverRefusal(paths, member.id, sinceMs);
  if (!reason) return err;
  return new ZkpseudoError(`${err.message}; server ${member.id}'s log says: ${reason}`, err.hint, err.exitCode, { cause: err });
}

/**
 * On a secured ensemble that is not healthy yet: the first server whose log shows a refused
 * TLS or SASL handshake with a peer since `sinceMs` (an expired or foreign certificate, a
 * plaintext peer, a wrong quorum password) — a cause no amount of waiting cures, so `up` can say it at once.
 */
export async function securityRefusal(paths: EnsemblePaths, spec: EnsembleSpec, sinceMs: number): Promise<{ id: number; reason: string } | undefined> {
  if (!spec.security) return undefined;
  let best: { id: number; reason: string; rank: number } | undefined;
  for (const m of spec.members) {
    // Each end of a refused handshake logs its side: the one that names the certificate's problem wins.
    const found = findRefusal(await logTail(paths, m.id, 300).catch(() => ''), sinceMs, true);
    if (found && (!best || found.rank < best.rank)) best = { id: m.id, ...found };
  }
  return best && { id: best.id, reason: best.reason };
}
