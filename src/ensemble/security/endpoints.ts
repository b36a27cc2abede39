/**
 * Where clients reach each server of an ensemble, plain and TLS (pure): with fault proxies,
 * through them, so `isolate-clients` and client delays apply to TLS clients too; the proxies
 * copy bytes, so TLS passes through them untouched.
 */
import type { EnsembleSpec, Member } from '../../options/types.js';
import { plainClientPort, secureClientPort } from '../../zk/config/security-cfg.js';

export interface Endpoint {
  port: number;
  tls: boolean;
}

/** The port a client dials for `member`: `prefer` secure takes TLS where the ensemble has it. */
export function clientEndpoint(spec: EnsembleSpec, member: Member, prefer: 'secure' | 'plain' = 'secure'): Endpoint {
  const id = String(member.id);
  const plain = plainClientPort(spec.security, member);
  const secure = secureClientPort(spec.security, member);
  if (secure !== undefined && (prefer === 'secure' || plain === undefined)) {
    const proxied = spec.security?.tls?.only ? spec.faults?.clients[id] : spec.faults?.secureClients?.[id];
    return { port: proxied ?? secure, tls: true };
  }
  return { port: spec.faults?.clients[id] ?? member.ports.client, tls: false };
}

/** `127.0.0.1:p,…` of the TLS ports, or undefined on an ensemble without TLS. */
export function secureConnectString(spec: EnsembleSpec): string | undefined {
  if (!spec.security?.tls) return undefined;
  return spec.members.map((m) => `127.0.0.1:${clientEndpoint(spec, m, 'secure').port}`).join(',');
}
