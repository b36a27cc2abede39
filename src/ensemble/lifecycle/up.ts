/**
 * `up` as an ordered list of named steps — java, dist, ports, unpack, configure, start, wait —
 * sharing one context (an `UpRun`). Each step reports its own progress line and, where it
 * made something, knows how to undo it; `runSteps` undoes the finished steps in reverse when a
 * later one fails or `up` is interrupted.
 */
import { InterruptedError, ZkpseudoError } from '../../errors.js';
import { describeHolder, withLock } from '../../edge/lock/lock.js';
import { pathExists } from '../../edge/fs/files.js';
import { normalizeOptions, type Request } from '../../options/options.js';
import type { EnsembleOptions } from '../../options/types.js';
import { assertDataDirsFree, liveServers } from '../observe/identity.js';
import { serverProcesses } from '../../edge/process/proctable.js';
import { isPausedState, PausedServersError } from '../observe/wait-healthy.js';
import { ensemblePaths, resolveHome, type EnsemblePaths } from '../store/layout.js';
import { assertOwner } from '../lease/lease.js';
import { copyDamage } from './servers.js';
import { memberVersion } from '../../options/member-versions.js';
import { readSpecIfAny, ensureHome } from '../store/spec-file.js';
import { STEPS } from './up-steps.js';
import type { UpContext, UpEvent, UpResult, UpRun, UpStep } from './up-run.js';

export type { StepName, UpContext, UpEvent, UpResult } from './up-run.js';

/**
 * Creates the ensemble if needed, starts every server that is not running, restarts running
 * ones one at a time when their settings change, and waits until healthy. Callers try
 * `reuseHealthy` (reuse.ts) first: it answers for an ensemble that already serves as asked.
 */
export async function upEnsemble(opts: EnsembleOptions, ctx: UpContext): Promise<UpResult> {
  const req = normalizeOptions(opts, ctx.env, ctx.defaults);
  const paths = ensemblePaths(resolveHome(ctx.env, opts.home), req.name);
  await ensureHome(paths.home);
  if (req.owner !== undefined) await assertOwner(req.owner);
  return withLock(paths.lockTarget, `ensemble "${req.name}"`, () => upLocked(req, paths, ctx), {
    waitMs: req.timeoutMs + 60_000,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onWait: (h) => ctx.onEvent?.({ kind: 'notice', text: `waiting for ${describeHolder(h)}, which holds ensemble "${req.name}"${h.stopped ? ' and is stopped (Ctrl-Z?)' : ''}` }),
  });
}

async function survey(req: Request, paths: EnsemblePaths, ctx: UpContext): Promise<UpRun> {
  const emit = (e: UpEvent) => ctx.onEvent?.(e);
  const existing = await readSpecIfAny(paths);
  const table = await serverProcesses();
  const live = await liveServers(paths, table);
  if (existing) await assertDataDirsFree(paths, existing.members.filter((m) => !live.has(m.id)).map((m) => m.id), table);
  if (!existing && live.size) {
    const pids = [...live.values()].map((s) => s.pid).join(', ');
    throw new ZkpseudoError(
      `Ensemble "${req.name}" has no ensemble.yaml, but ${live.size} of its servers still run under ${paths.dir} (pid ${pids}).`,
      `Stop them with \`zkpseudo down --name ${req.name}\` (or \`zkpseudo gc\`), then run \`up\` again.`,
    );
  }
  // A paused server never answers: waiting for health would only run out the timeout. Said
  // now, before anything is touched (with --no-wait nothing waits, so nothing is refused).
  const paused = [...live.values()].filter((s) => isPausedState(s.state)).map((s) => s.id).sort((a, b) => a - b);
  if (req.wait && paused.length) throw new PausedServersError(paused, req.name);
  const damaged = new Map<number, string>();
  if (existing) {
    for (const m of existing.members) {
      if (live.has(m.id)) continue;
      const damage = await copyDamage(paths.server(m.id), memberVersion(existing, m));
      if (damage) damaged.set(m.id, damage);
    }
  }
  return {
    req, paths, env: ctx.env, emit,
    step: (name, state, detail) => emit({ kind: 'step', step: name, state, ...(detail ? { detail } : {}) }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(existing ? { existing } : {}),
    dirExisted: await pathExists(paths.dir),
    live, damaged, refetched: new Map(), toStart: [], started: [], changes: [], restarted: [], launches: [],
  };
}

async function upLocked(req: Request, paths: EnsemblePaths, ctx: UpContext): Promise<UpResult> {
  const run = await survey(req, paths, ctx);
  await runSteps(run, STEPS);
  return { spec: run.spec!, paths, started: run.started, restarted: run.restarted, created: !run.existing, reused: false, ...(run.status ? { status: run.status } : {}) };
}

/** Runs the steps in order; on failure or interruption undoes the finished ones in reverse. */
export async function runSteps(run: UpRun, steps: UpStep[]): Promise<void> {
  const done: UpStep[] = [];
  try {
    for (const s of steps) {
      if (run.signal?.aborted) throw new InterruptedError('`up`');
      done.push(s);
      await s.run(run);
    }
  } catch (err) {
    for (const s of done.reverse()) await s.undo?.(run, err).catch(() => undefined);
    throw err;
  } finally {
    await run.releasePorts?.();
  }
}
