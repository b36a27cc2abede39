/**
 * Any ensemble, by its connect string, as a Target of the client commands (see
 * observe/target.ts): plain, or over TLS and logged in with SASL with the credentials given
 * (`--tls`, `--sasl`: remote/credentials.ts).
 */
import { connect } from '../../edge/zkwire/session.js';
import type { ClientSecurity } from '../security/client.js';
import type { ConnectString } from '../../zk/connect-string.js';
import type { Target } from '../observe/target.js';
import { probeRemote, type RemoteStatus } from './probe.js';

export function remoteTarget(cs: ConnectString, credentials: ClientSecurity = {}): Target<RemoteStatus> {
  const flags = `${credentials.tls ? ' --tls' : ''}${credentials.sasl ? ' --sasl' : ''}`;
  return {
    kind: 'remote',
    describe: `the ensemble at ${cs.text}`,
    connectString: cs.text,
    credentials,
    probe: (timeoutMs) => probeRemote(cs, timeoutMs, credentials.tls),
    clientAddress: (s) => `${s.address}${cs.chroot ?? ''}`,
    open: (s, timeoutMs) => {
      const at = /^(.*):(\d+)$/.exec(s.address);
      if (!at) return Promise.reject(new Error(`${s.address} is not host:port`));
      return connect({
        host: at[1]!, port: Number(at[2]), chroot: cs.chroot, connectTimeoutMs: timeoutMs,
        ...(credentials.tls ? { tls: credentials.tls } : {}),
        ...(credentials.sasl ? { sasl: credentials.sasl } : {}),
      });
    },
    hint: `Look at \`zkpseudo status --connect ${cs.text}${flags}\` and the servers' own logs, or wait longer with --timeout.`,
  };
}
