/**
 * What the client commands act on: a local ensemble, found by name under the home dir, whose
 * server processes zkpseudo knows; or any ensemble by its connect string, known only by what
 * its servers answer (`--connect`, SPEC §16). `status`, `wait` and `check` take a Target, so
 * each works on both with one code path; `dump`, `seed` and `reset` take one too and dial its
 * `connectString` (ensemble/tree/target.ts adds the local ensemble's super user); `check` opens
 * sessions through `open` (zkpseudo's own client, over TLS and with SASL where a local ensemble
 * was made with them).
 */
import type { Session } from '../../edge/zkwire/session.js';
import type { EnsembleSpec } from '../../options/types.js';
import { clientSecurity, openSession, type ClientSecurity } from '../security/client.js';
import { explainClientFailure } from '../security/diagnose.js';
import type { ConditionView } from '../../zk/state/conditions.js';
import type { Health } from '../../zk/state/health.js';
import type { EnsemblePaths } from '../store/layout.js';
import { connectString, probeEnsemble, type EnsembleStatus } from './probe.js';
import { readRemovedLeader } from '../faults/removed-leader.js';

/** What every status a Target reports has: servers with an id and a role, and the quorum's health. */
export interface TargetStatus extends ConditionView {
  servers: { id: number; role: string; pid?: number | null }[];
  health: Health;
}

export interface Target<S extends TargetStatus = TargetStatus> {
  kind: 'local' | 'remote';
  /** In messages: `ensemble "ci"`, or `the ensemble at h1:2181,h2:2181`. */
  describe: string;
  /** What a client takes: every server, and the chroot if there is one. */
  connectString: string;
  /** Every server's state and the quorum's health, each server asked within `timeoutMs`. */
  probe(timeoutMs?: number): Promise<S>;
  /** The address a client dials to reach one server of a status this target reported (with the chroot). */
  clientAddress(server: S['servers'][number]): string;
  /**
   * A session with one server of a status this target reported, below the chroot; on a secured
   * local ensemble over TLS where it has TLS and logged in with SASL where it has SASL. A refusal
   * is named (from the server's log where zkpseudo can read it), not left as a timeout.
   */
  open(server: S['servers'][number], timeoutMs: number): Promise<Session>;
  /** Where to look when the ensemble is not in the state wanted. */
  hint: string;
  /** An ensemble by connect string: the TLS material and SASL user its sessions present (`--tls`, `--sasl`). */
  credentials?: ClientSecurity;
  /**
   * The leader the last fault removed, where zkpseudo made the fault (a local ensemble; see
   * faults/removed-leader): what `new-leader` must replace, however late the wait begins.
   */
  removedLeader?(onNotice?: (text: string) => void): Promise<{ leader: number; epoch: number | null } | undefined>;
}

/** A local ensemble as a Target. */
export function localTarget(paths: EnsemblePaths, spec: EnsembleSpec): Target<EnsembleStatus> {
  const flag = spec.name === 'default' ? '' : ` --name ${spec.name}`;
  // The certificate and SASL user are read once, at the first session, for every session after.
  let security: Promise<ClientSecurity> | undefined;
  return {
    kind: 'local',
    describe: `ensemble "${spec.name}"`,
    connectString: connectString(spec),
    probe: (timeoutMs) => probeEnsemble(paths, spec, timeoutMs),
    clientAddress: (s) => `127.0.0.1:${s.clientPort}`,
    open: async (s, timeoutMs) => {
      const member = spec.members.find((m) => m.id === s.id);
      if (!member) throw new Error(`server ${s.id} is not in ensemble "${spec.name}"`);
      // Log lines are stamped to the millisecond; a second's slack covers the clock's rounding.
      const since = Date.now() - 1000;
      try {
        return await openSession(paths, spec, member, { security: await (security ??= clientSecurity(paths, spec)), connectTimeoutMs: timeoutMs });
      } catch (err) {
        // A refused handshake or login is named from the server's own log, not left as a timeout.
        throw await explainClientFailure(paths, spec, member, err, since);
      }
    },
    hint: `Look at \`zkpseudo status${flag}\` and the servers' logs (\`zkpseudo logs ID${flag}\`), or wait longer with --timeout.`,
    removedLeader: (onNotice) => readRemovedLeader(paths, onNotice),
  };
}
