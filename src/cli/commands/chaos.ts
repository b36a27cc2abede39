/**
 * `zkpseudo chaos --seed N --duration 60s`: runs a reproducible fault schedule (ensemble/faults/chaos-plan.ts)
 * against the ensemble, printing each step with a timestamp, and leaves it whole at the end —
 * or when interrupted: every server started and resumed, every link healed.
 */
import { applyFault } from '../../ensemble/faults/operations.js';
import { killServers, signalServers, startServers } from '../../ensemble/lifecycle/ops.js';
import { readSpec } from '../../ensemble/store/spec-file.js';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../options/options.js';
import { chaosPlan, describeAction, type ChaosAction } from '../../ensemble/faults/chaos-plan.js';
import type { CommandContext } from '../context.js';
import { printJsonLine } from '../output.js';

function duration(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 200) throw new UsageError(`${flag} "${text}" is not a duration from 200ms to 24h.`, 'Give a duration like 60s or 2m.');
  return ms;
}

export async function chaosCommand(c: CommandContext, opts: { seed?: string; duration?: string; interval?: string }): Promise<number> {
  const seed = opts.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new UsageError(`--seed "${opts.seed}" is not a whole number from 0 to 4294967295.`, 'Give the seed of the run to replay, like --seed 42.');
  const durationMs = duration('--duration', opts.duration, 60_000);
  const intervalMs = duration('--interval', opts.interval, 5_000);
  const spec = await readSpec(c.paths);
  const plan = chaosPlan(seed, durationMs, intervalMs, spec.members.map((m) => m.id), !!spec.faults);
  const say = (event: Record<string, unknown>, text: string) => {
    if (c.o.json) printJsonLine(c.o, event);
    else if (!c.o.quiet) c.o.out(text);
  };
  const run = async (a: ChaosAction) => {
    switch (a.kind) {
      case 'kill': return killServers(c.op, a.id);
      case 'start': return startServers(c.op, a.id);
      case 'pause': return signalServers(c.op, a.id, 'SIGSTOP');
      case 'resume': return signalServers(c.op, a.id, 'SIGCONT');
      case 'isolate': return applyFault(c.op, { op: 'isolate', id: a.id });
      case 'partition': return applyFault(c.op, { op: 'partition', groups: a.groups });
      case 'heal': return applyFault(c.op, { op: 'heal' });
    }
  };
  let stop = false;
  let healFailure: string | undefined;
  const onSignal = () => { stop = true; };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const t0 = Date.now();
  say({ event: 'start', seed, durationMs, intervalMs, steps: plan.length }, `chaos: seed ${seed}, ${plan.length} steps over ${durationMs / 1000} s (replay with --seed ${seed})`);
  try {
    for (const e of plan) {
      while (!stop && Date.now() - t0 < e.atMs) await new Promise((r) => setTimeout(r, Math.min(100, e.atMs - (Date.now() - t0))));
      if (stop) break;
      const at = Date.now() - t0;
      await run(e.action);
      say({ event: 'step', at: new Date().toISOString(), offsetMs: at, action: e.action }, `${new Date().toISOString()} +${(at / 1000).toFixed(2)}s ${describeAction(e.action)}`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Whole again, whatever happened: resume, heal, start.
    await signalServers(c.op, 'all', 'SIGCONT').catch(() => undefined);
    // "Healed" only when the proxy applied it (a dead proxy heals nothing: say so).
    if (spec.faults) healFailure = await applyFault(c.op, { op: 'heal' }).then(() => undefined, (err: Error) => err.message);
    await startServers(c.op, 'all').catch(() => undefined);
    const links = !spec.faults ? '' : healFailure ? `; the links were NOT healed: ${healFailure}` : ', every link healed';
    say({ event: 'end', interrupted: stop, ...(healFailure ? { healFailure } : {}) }, `chaos: ${stop ? 'interrupted' : 'done'}; every server started and resumed${links}`);
  }
  return stop ? 130 : healFailure ? 2 : 0;
}
