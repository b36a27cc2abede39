/**
 * What "settled" means after an operation on some servers (`--wait` in the CLI, `{ wait: true }`
 * in the library): after a start, restart or resume, a quorum with those servers serving; after
 * a stop, kill, pause or isolate that took the leader away, a new leader (one other than it, in
 * a later epoch) with a quorum; after one that did not, a quorum.
 */
import type { Condition } from '../../zk/state/conditions.js';
import type { EnsemblePaths } from '../store/layout.js';
import { readRemovedLeader } from '../faults/removed-leader.js';

export type SettleVerb = 'stop' | 'start' | 'restart' | 'kill' | 'pause' | 'resume' | 'isolate' | 'partition';

/** `ids`: the servers the operation named (for a partition, those cut off from a majority). */
export async function settleCondition(paths: EnsemblePaths, verb: SettleVerb, ids: number[]): Promise<Condition> {
  if (verb === 'start' || verb === 'restart' || verb === 'resume') return { kind: 'serving', ids };
  const removed = await readRemovedLeader(paths);
  // The record is this operation's when it names one of the servers just taken away.
  if (removed && ids.includes(removed.leader)) {
    return { kind: 'new-leader', previous: removed.leader, ...(removed.epoch !== null ? { previousEpoch: removed.epoch } : {}) };
  }
  return { kind: 'serving' };
}
