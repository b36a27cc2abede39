/** Any ensemble, by its connect string, as a Target of the client commands (see observe/target.ts). */
import { connect } from '../../edge/zkwire/session.js';
import type { ConnectString } from '../../zk/connect-string.js';
import type { Target } from '../observe/target.js';
import { probeRemote, type RemoteStatus } from './probe.js';

export function remoteTarget(cs: ConnectString): Target<RemoteStatus> {
  return {
    kind: 'remote',
    describe: `the ensemble at ${cs.text}`,
    connectString: cs.text,
    probe: (timeoutMs) => probeRemote(cs, timeoutMs),
    clientAddress: (s) => `${s.address}${cs.chroot ?? ''}`,
    open: (s, timeoutMs) => {
      const at = /^(.*):(\d+)$/.exec(s.address);
      if (!at) return Promise.reject(new Error(`${s.address} is not host:port`));
      return connect({ host: at[1]!, port: Number(at[2]), chroot: cs.chroot, connectTimeoutMs: timeoutMs });
    },
    hint: `Look at \`zkpseudo status --connect ${cs.text}\` and the servers' own logs, or wait longer with --timeout.`,
  };
}
