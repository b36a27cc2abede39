/**
 * `zk.chaos({ seed, duration, workload, check })`, the library's chaos: the options checked as
 * strictly as the CLI's flags, the schedule run (with a workload: the consistency run), and the
 * history and verdict returned, never printed.
 */
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../options/options.js';
import { chaosPlan } from '../faults/chaos-plan.js';
import { runChaosPlan, type ChaosStep } from '../faults/chaos-run.js';
import type { OpContext } from '../lifecycle/ops.js';
import { readSpec } from '../store/spec-file.js';
import { checkHistory } from './check/checker.js';
import { WORKLOADS, type History, type ReadMode, type Workload } from './check/history.js';
import type { CheckReport } from './check/verdict.js';
import { runConsistency } from './run.js';

export interface ChaosOptions {
  /** The schedule's seed (default: a random one, returned). */
  seed?: number;
  /** How long ("60s", or seconds), default 60 s. */
  duration?: string | number;
  /** A fault every this long, each undone half-way ("5s", or seconds), default 5 s. */
  interval?: string | number;
  /** Clients perform this workload meanwhile, recorded as a history. */
  workload?: Workload;
  /** Check the history (needs `workload`). */
  check?: boolean;
  /** How plain reads are judged: `sequential` (ZooKeeper's documented rule, default) or `linearizable`. */
  reads?: ReadMode;
  /** Clients (default one pinned to each server plus one on the whole connect string). */
  clients?: number;
  /** Operations per second, all clients together (default 100). */
  rate?: number;
  /** Ends the run early; everything is restored first. */
  signal?: AbortSignal;
  /** Each fault step as it begins and ends. */
  onStep?: (step: ChaosStep) => void;
}

export interface ChaosResult {
  seed: number;
  interrupted: boolean;
  /** Set when the final heal failed (the fault proxy was not there to apply it): links may still be cut. */
  healFailure?: string;
  /** With `workload`: everything each client did, and the fault steps, on one clock. */
  history?: History;
  /** With `check`: the verdict per property and overall (`valid`). */
  report?: CheckReport;
}

const KEYS = new Set(['seed', 'duration', 'interval', 'workload', 'check', 'reads', 'clients', 'rate', 'signal', 'onStep']);

function ms(key: string, value: string | number | undefined, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const v = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (v === undefined || v < 200) { problems.push(`${key}: ${JSON.stringify(value)} is not a duration from 200ms to 24h`); return fallback; }
  return v;
}

export async function chaosOnHandle(op: OpContext, o: ChaosOptions = {}): Promise<ChaosResult> {
  const problems: string[] = [];
  if (o === null || typeof o !== 'object') throw new UsageError(`chaos(${JSON.stringify(o)}): the options must be an object.`, 'Pass { seed, duration, workload, check }.');
  for (const k of Object.keys(o)) if (!KEYS.has(k)) problems.push(`${k}: is not an option of chaos()`);
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) problems.push(`seed: ${JSON.stringify(o.seed)} is not a whole number from 0 to 4294967295`);
  const durationMs = ms('duration', o.duration, 60_000, problems);
  const intervalMs = ms('interval', o.interval, 5_000, problems);
  if (o.workload !== undefined && !WORKLOADS.includes(o.workload)) problems.push(`workload: ${JSON.stringify(o.workload)} is not one of ${WORKLOADS.join(', ')}`);
  if (o.check && !o.workload) problems.push('check: needs a workload');
  if (o.reads !== undefined && o.reads !== 'sequential' && o.reads !== 'linearizable') problems.push(`reads: ${JSON.stringify(o.reads)} is not "sequential" or "linearizable"`);
  for (const [k, v, max] of [['clients', o.clients, 64], ['rate', o.rate, 10_000]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > max)) problems.push(`${k}: ${JSON.stringify(v)} is not a whole number from 1 to ${max}`);
  }
  if (problems.length) throw new UsageError(`chaos(): ${problems.join('; ')}.`, 'See the README\'s "Checking consistency under faults" for every option.');
  const signal = o.signal ? { signal: o.signal } : {};
  const onStep = o.onStep ? { onStep: o.onStep } : {};
  if (!o.workload) {
    const spec = await readSpec(op.paths);
    const plan = chaosPlan(seed, durationMs, intervalMs, spec.members.map((m) => m.id), !!spec.faults);
    return { seed, ...(await runChaosPlan(op, spec, plan, { ...signal, ...onStep })) };
  }
  const run = await runConsistency(op, {
    seed, durationMs, intervalMs, workload: o.workload, ...signal, ...onStep,
    clients: o.clients, rate: o.rate,
  });
  const result: ChaosResult = { seed, interrupted: run.interrupted, history: run.history, healFailure: run.healFailure };
  if (o.check && !run.interrupted) result.report = checkHistory(run.history, { reads: o.reads ?? 'sequential' });
  return result;
}
