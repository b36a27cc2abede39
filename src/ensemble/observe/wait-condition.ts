/** Waiting until an ensemble meets a condition (`zkpseudo wait`, `--wait`, `zk.waitFor`). */
import { InterruptedError, ZkpseudoError } from '../../errors.js';
import type { EnsembleSpec } from '../../options/types.js';
import { conditionMet, describeCondition, type Condition } from '../../zk/conditions.js';
import type { EnsemblePaths } from '../store/layout.js';
import { probeEnsemble, type EnsembleStatus } from './probe.js';
import { sleep } from './wait-healthy.js';
import { readRemovedLeader } from '../faults/removed-leader.js';

/** The condition did not come true in time; carries the last status. */
export class WaitTimeoutError extends ZkpseudoError {
  constructor(readonly condition: Condition, readonly status: EnsembleStatus, timeoutMs: number) {
    super(
      `Waited ${Math.round(timeoutMs / 100) / 10} s for ${describeCondition(condition)}, but the ensemble is ${status.health.summary}.`,
      'Look at `zkpseudo status` and the servers\' logs (`zkpseudo logs ID`), or wait longer with --timeout.',
    );
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitForOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  onStatus?: (s: EnsembleStatus) => void;
  /** Said when the record of the removed leader is damaged (and so not used). */
  onNotice?: (text: string) => void;
}

/**
 * Polls every server until `condition` holds; resolves with that status. For `new-leader`
 * without a `previous`, the leader the last fault removed is the one to replace (see
 * faults/removed-leader), else the leader at the start of the wait, if any.
 */
export async function waitFor(paths: EnsemblePaths, spec: EnsembleSpec, condition: Condition, opts: WaitForOptions): Promise<EnsembleStatus> {
  const deadline = Date.now() + opts.timeoutMs;
  let c = condition;
  if (c.kind === 'new-leader' && c.previous === undefined) {
    const removed = await readRemovedLeader(paths, opts.onNotice);
    if (removed) c = { kind: 'new-leader', previous: removed.leader, ...(removed.epoch !== null ? { previousEpoch: removed.epoch } : {}) };
  }
  for (let first = true; ; first = false) {
    if (opts.signal?.aborted) throw new InterruptedError('`wait`');
    const status = await probeEnsemble(paths, spec, Math.min(1000, Math.max(200, deadline - Date.now())));
    opts.onStatus?.(status);
    if (first && c.kind === 'new-leader' && c.previous === undefined && status.health.leader !== undefined) c = { ...c, previous: status.health.leader };
    if (conditionMet(c, status)) return status;
    if (Date.now() >= deadline) throw new WaitTimeoutError(c, status, opts.timeoutMs);
    await sleep(opts.intervalMs ?? 100, opts.signal);
  }
}
