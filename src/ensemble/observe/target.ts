/**
 * What the client commands act on: a local ensemble, found by name under the home dir, whose
 * server processes zkpseudo knows; or any ensemble by its connect string, known only by what
 * its servers answer (`--connect`, SPEC §16). `status`, `wait` and `check` take a Target, so
 * each works on both with one code path; `dump`, `seed` and `reset` take one too and dial its
 * `connectString` (ensemble/tree/target.ts adds the local ensemble's super user).
 */
import type { EnsembleSpec } from '../../options/types.js';
import type { ConditionView } from '../../zk/conditions.js';
import type { Health } from '../../zk/health.js';
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
  /** Where to look when the ensemble is not in the state wanted. */
  hint: string;
  /**
   * The leader the last fault removed, where zkpseudo made the fault (a local ensemble; see
   * faults/removed-leader): what `new-leader` must replace, however late the wait begins.
   */
  removedLeader?(onNotice?: (text: string) => void): Promise<{ leader: number; epoch: number | null } | undefined>;
}

/** A local ensemble as a Target. */
export function localTarget(paths: EnsemblePaths, spec: EnsembleSpec): Target<EnsembleStatus> {
  const flag = spec.name === 'default' ? '' : ` --name ${spec.name}`;
  return {
    kind: 'local',
    describe: `ensemble "${spec.name}"`,
    connectString: connectString(spec),
    probe: (timeoutMs) => probeEnsemble(paths, spec, timeoutMs),
    clientAddress: (s) => `127.0.0.1:${s.clientPort}`,
    hint: `Look at \`zkpseudo status${flag}\` and the servers' logs (\`zkpseudo logs ID${flag}\`), or wait longer with --timeout.`,
    removedLeader: (onNotice) => readRemovedLeader(paths, onNotice),
  };
}
