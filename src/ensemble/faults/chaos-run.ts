/**
 * Runs a chaos plan (chaos-plan.ts) against an ensemble: each step at its offset from the
 * start, said before and after it runs, and the ensemble made whole at the end — or when the
 * signal aborts: every server resumed and started, every link healed. The CLI and the library
 * both run chaos through this; neither prints here.
 */
import { applyFault } from './operations.js';
import { killServers, signalServers, startServers, type OpContext } from '../lifecycle/ops.js';
import { sleep } from '../../edge/sleep.js';
import type { EnsembleSpec } from '../../options/types.js';
import { describeAction, type ChaosAction, type ChaosEvent } from './chaos-plan.js';

/** A plan's step, or the restoring of everything after the plan. */
export type FaultStepAction = ChaosAction | { kind: 'restore' };

export function describeStep(a: FaultStepAction): string {
  return a.kind === 'restore' ? 'restore: every server resumed and started, every link healed' : describeAction(a);
}

export interface ChaosStep {
  phase: 'begin' | 'end';
  action: FaultStepAction;
  /** Milliseconds from the start of the run, when the step began. */
  offsetMs: number;
  /** Set when the step failed (the run goes on: the next step or the restore may mend it). */
  error?: string;
}

export interface ChaosRunOptions {
  signal?: AbortSignal;
  onStep?: (step: ChaosStep) => void;
  /** Milliseconds since the run started; default from the moment runChaosPlan is called. */
  elapsed?: () => number;
}

function apply(op: OpContext, a: FaultStepAction): Promise<unknown> {
  switch (a.kind) {
    case 'kill': return killServers(op, a.id);
    case 'start': return startServers(op, a.id);
    case 'pause': return signalServers(op, a.id, 'SIGSTOP');
    case 'resume': return signalServers(op, a.id, 'SIGCONT');
    case 'isolate': return applyFault(op, { op: 'isolate', id: a.id });
    case 'partition': return applyFault(op, { op: 'partition', groups: a.groups });
    case 'heal': return applyFault(op, { op: 'heal' });
    case 'restore': return Promise.resolve();
  }
}

/**
 * Whole again, whatever happened: resume, heal, start (each attempted even if another fails).
 * Returns why the heal failed, if it did: links "healed" only when the proxy applied it (a dead
 * proxy heals nothing, and the caller must say so).
 */
async function restore(op: OpContext, spec: EnsembleSpec): Promise<string | undefined> {
  await signalServers(op, 'all', 'SIGCONT').catch(() => undefined);
  const healFailure = spec.faults ? await applyFault(op, { op: 'heal' }).then(() => undefined, (err: unknown) => (err as Error).message ?? String(err)) : undefined;
  await startServers(op, 'all').catch(() => undefined);
  return healFailure;
}

export interface ChaosRunResult {
  interrupted: boolean;
  /** Set when the final heal failed: the links may still be cut. */
  healFailure?: string;
}

/** Runs `plan`; resolves with whether it was interrupted, once everything is restored. */
export async function runChaosPlan(op: OpContext, spec: EnsembleSpec, plan: ChaosEvent[], opts: ChaosRunOptions = {}): Promise<ChaosRunResult> {
  const t0 = performance.now();
  const elapsed = opts.elapsed ?? (() => performance.now() - t0);
  const say = (step: ChaosStep) => opts.onStep?.(step);
  let healFailure: string | undefined;
  try {
    for (const e of plan) {
      if (e.atMs > elapsed()) await sleep(e.atMs - elapsed(), opts.signal);
      if (opts.signal?.aborted) break;
      const offsetMs = elapsed();
      say({ phase: 'begin', action: e.action, offsetMs });
      // A step that fails (a server that will not start) is said and the plan goes on.
      const error = await apply(op, e.action).then(() => undefined, (err: unknown) => (err as Error).message ?? String(err));
      say({ phase: 'end', action: e.action, offsetMs, error });
    }
  } finally {
    const offsetMs = elapsed();
    say({ phase: 'begin', action: { kind: 'restore' }, offsetMs });
    healFailure = await restore(op, spec);
    say({ phase: 'end', action: { kind: 'restore' }, offsetMs, error: healFailure && `the links were not healed: ${healFailure}` });
  }
  return { interrupted: !!opts.signal?.aborted, healFailure };
}
