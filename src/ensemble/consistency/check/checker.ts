/**
 * Checks a recorded history (pure, apart from reading the clock for its time limit): the
 * workload's properties, each with a verdict, and the whole history's. The same function
 * serves `chaos --check` at the end of a run and `check-history FILE` afterwards.
 */
import { assembleOps, faultEvents, type History, type ReadMode } from './history.js';
import { checkRegister } from './register-check.js';
import { checkQueue } from './queue-check.js';
import { checkLock } from './lock-check.js';
import type { CheckReport, PropertyVerdict } from './verdict.js';

export interface CheckOptions {
  /** How plain reads are judged (default `sequential`, ZooKeeper's documented promise). */
  reads?: ReadMode;
  /** Give up with `unknown` after this long (default 60 s). */
  timeLimitMs?: number;
  /** Configurations the linearizability search may remember, per key (default 4 million). */
  maxConfigs?: number;
}

export const DEFAULT_CHECK_TIME_LIMIT_MS = 60_000;

export function checkHistory(h: History, opts: CheckOptions = {}): CheckReport {
  const t0 = performance.now();
  const reads = opts.reads ?? 'sequential';
  const ops = assembleOps(h);
  const faults = faultEvents(h);
  let properties: PropertyVerdict[];
  switch (h.meta.workload) {
    case 'register':
      properties = checkRegister(h, ops, faults, { reads, deadline: t0 + (opts.timeLimitMs ?? DEFAULT_CHECK_TIME_LIMIT_MS), maxConfigs: opts.maxConfigs });
      break;
    case 'queue': properties = checkQueue(h, ops, faults); break;
    case 'lock': properties = checkLock(h, ops, faults); break;
  }
  const byKind: CheckReport['operations']['byKind'] = {};
  for (const o of ops) {
    const kind = o.f === 'read' && o.sync ? 'sync read' : o.f;
    byKind[kind] ??= { ok: 0, fail: 0, info: 0 };
    byKind[kind][o.outcome]++;
  }
  const count = (outcome: 'ok' | 'fail' | 'info') => ops.filter((o) => o.outcome === outcome).length;
  const valid = properties.some((p) => p.status === 'violated') ? false : properties.some((p) => p.status === 'unknown') ? 'unknown' : true;
  return {
    workload: h.meta.workload, reads, seed: h.meta.seed, valid,
    operations: { total: ops.length, ok: count('ok'), fail: count('fail'), info: count('info'), byKind },
    faults: faults.filter((f) => f.phase === 'begin' && f.action.kind !== 'restore').length,
    properties,
    checkMs: Math.round(performance.now() - t0),
  };
}
