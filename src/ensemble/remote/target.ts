/** Any ensemble, by its connect string, as a Target of the client commands (see observe/target.ts). */
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
    hint: `Look at \`zkpseudo status --connect ${cs.text}\` and the servers' own logs, or wait longer with --timeout.`,
  };
}
