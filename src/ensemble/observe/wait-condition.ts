/** Waiting until an ensemble meets a condition (`zkpseudo wait`, `--wait`, `zk.waitFor`), a local one or any by --connect. */
import { InterruptedError, ZkpseudoError } from '../../errors.js';
import type { EnsembleSpec } from '../../options/types.js';
import { conditionMet, describeCondition, type Condition } from '../../zk/state/conditions.js';
import type { EnsemblePaths } from '../store/layout.js';
import type { RemoteStatus } from '../remote/probe.js';
import type { EnsembleStatus } from './probe.js';
import { localTarget, type Target, type TargetStatus } from './target.js';
import { sleep } from './wait-healthy.js';

/** The condition did not come true in time; carries the last status. */
export class WaitTimeoutError extends ZkpseudoError {
  constructor(readonly condition: Condition, readonly status: EnsembleStatus | RemoteStatus, timeoutMs: number, hint = 'Look at `zkpseudo status` and the servers\' logs (`zkpseudo logs ID`), or wait longer with --timeout.') {
    super(`Waited ${Math.round(timeoutMs / 100) / 10} s for ${describeCondition(condition)}, but the ensemble is ${status.health.summary}.`, hint);
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitForOptions<S extends TargetStatus = EnsembleStatus> {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  onStatus?: (s: S) => void;
  /** Said when the record of the removed leader is damaged (and so not used). */
  onNotice?: (text: string) => void;
}

/**
 * `new-leader` with the leader it must replace filled in from the record of the last fault that
 * removed one, where the target keeps such a record; any other condition as it is.
 */
export async function resolveCondition(target: Pick<Target, 'removedLeader'>, condition: Condition, onNotice?: (text: string) => void): Promise<Condition> {
  if (condition.kind !== 'new-leader' || condition.previous !== undefined) return condition;
  const removed = await target.removedLeader?.(onNotice);
  return removed ? { kind: 'new-leader', previous: removed.leader, ...(removed.epoch !== null ? { previousEpoch: removed.epoch } : {}) } : condition;
}

/**
 * Polls every server of `target` until `condition` holds; resolves with that status. For
 * `new-leader` without a `previous`, the leader the last fault removed is the one to replace
 * (a local ensemble: see faults/removed-leader), else the leader at the start of the wait, if any.
 */
export async function waitUntil<S extends EnsembleStatus | RemoteStatus>(target: Target<S>, condition: Condition, opts: WaitForOptions<S>): Promise<S> {
  const deadline = Date.now() + opts.timeoutMs;
  let c = await resolveCondition(target, condition, opts.onNotice);
  for (let first = true; ; first = false) {
    if (opts.signal?.aborted) throw new InterruptedError('`wait`');
    const status = await target.probe(Math.min(1000, Math.max(200, deadline - Date.now())));
    opts.onStatus?.(status);
    if (first && c.kind === 'new-leader' && c.previous === undefined && status.health.leader !== undefined) c = { ...c, previous: status.health.leader };
    if (conditionMet(c, status)) return status;
    if (Date.now() >= deadline) throw new WaitTimeoutError(c, status, opts.timeoutMs, target.hint);
    await sleep(opts.intervalMs ?? 100, opts.signal);
  }
}

/** `waitUntil` on a local ensemble. */
export function waitFor(paths: EnsemblePaths, spec: EnsembleSpec, condition: Condition, opts: WaitForOptions): Promise<EnsembleStatus> {
  return waitUntil(localTarget(paths, spec), condition, opts);
}
