/**
 * `up` as an ordered list of named steps — java, dist, ports, unpack, configure, start, wait —
 * sharing one context (an `UpRun`). Each step reports its own progress line and, where it
 * made something, knows how to undo it; `runSteps` undoes the finished steps in reverse when a
 * later one fails or `up` is interrupted.
 */
import { InterruptedError, ZkpseudoError } from '../errors.js';
import { withLock } from '../edge/lock.js';
import { pathExists } from '../edge/files.js';
import type { Launch } from '../edge/server.js';
import { normalizeOptions, type Request } from '../options/options.js';
import type { EnsembleOptions, EnsembleSpec } from '../options/types.js';
import type { ResolvedDist } from '../tarball/resolve.js';
import { liveServers, type LiveServer } from './identity.js';
import { ensemblePaths, resolveHome, type EnsemblePaths } from './layout.js';
import { assertOwner } from './lease.js';
import type { EnsembleStatus } from './probe.js';
import { copyDamage } from './servers.js';
import { readSpecIfAny, ensureHome } from './store.js';
import { STEPS } from './up-steps.js';

export type StepName = 'java' | 'dist' | 'ports' | 'unpack' | 'configure' | 'start' | 'wait';

/** What `up` reports while it works; the CLI draws it, the library passes it to `onEvent`. */
export type UpEvent =
  | { kind: 'step'; step: StepName; state: 'running' | 'done' | 'skipped'; detail?: string }
  | { kind: 'download'; url: string; transferred: number; total?: number }
  | { kind: 'notice'; text: string }
  | { kind: 'status'; status: EnsembleStatus };

export interface UpContext {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: (e: UpEvent) => void;
}

export interface UpResult {
  spec: EnsembleSpec;
  paths: EnsemblePaths;
  /** The final status (healthy unless `wait: false`). */
  status?: EnsembleStatus;
  /** Ids of the servers this call started. */
  started: number[];
  /** True when the ensemble was created by this call. */
  created: boolean;
}

/** Everything the steps share: what was asked, what is on disk and alive, what was decided. */
export interface UpRun {
  req: Request;
  paths: EnsemblePaths;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  emit(e: UpEvent): void;
  step(name: StepName, state: 'running' | 'done' | 'skipped', detail?: string): void;
  /** The recorded spec when the ensemble exists already. */
  existing?: EnsembleSpec;
  /** Whether the ensemble directory existed before this `up` (a failed first `up` removes it). */
  dirExisted: boolean;
  /** The ensemble's servers alive when `up` began (from the process table). */
  live: Map<number, LiveServer>;
  /** Servers whose copy is missing or damaged, with what is wrong. */
  damaged: Map<number, string>;
  javaDetail?: string;
  dist?: ResolvedDist;
  spec?: EnsembleSpec;
  /** Ids this `up` must start (every one not already running). */
  toStart: number[];
  /** Ids this `up` started (each one's launch finished). */
  started: number[];
  launches: Launch[];
  /** Settles when every launch has finished, successfully or not. */
  launching?: Promise<unknown>;
  releasePorts?: () => Promise<void>;
  status?: EnsembleStatus;
}

/** One step of `up`: `run` does it; `undo`, if any, reverses it when a later step fails. */
export interface UpStep {
  name: StepName;
  run(r: UpRun): Promise<void>;
  undo?(r: UpRun, err: unknown): Promise<void>;
}

/** Creates the ensemble if needed, starts every server that is not running and waits until healthy. */
export async function upEnsemble(opts: EnsembleOptions, ctx: UpContext): Promise<UpResult> {
  const req = normalizeOptions(opts, ctx.env);
  const paths = ensemblePaths(resolveHome(ctx.env, opts.home), req.name);
  await ensureHome(paths.home);
  if (req.owner !== undefined) await assertOwner(req.owner);
  return withLock(paths.lockTarget, `ensemble "${req.name}"`, () => upLocked(req, paths, ctx), req.timeoutMs + 60_000);
}

async function survey(req: Request, paths: EnsemblePaths, ctx: UpContext): Promise<UpRun> {
  const emit = (e: UpEvent) => ctx.onEvent?.(e);
  const existing = await readSpecIfAny(paths);
  const live = await liveServers(paths);
  if (!existing && live.size) {
    const pids = [...live.values()].map((s) => s.pid).join(', ');
    throw new ZkpseudoError(
      `Ensemble "${req.name}" has no ensemble.yaml, but ${live.size} of its servers still run under ${paths.dir} (pid ${pids}).`,
      `Stop them with \`zkpseudo down --name ${req.name}\` (or \`zkpseudo gc\`), then run \`up\` again.`,
    );
  }
  const damaged = new Map<number, string>();
  if (existing) {
    for (const m of existing.members) {
      if (live.has(m.id)) continue;
      const damage = await copyDamage(paths.server(m.id));
      if (damage) damaged.set(m.id, damage);
    }
  }
  return {
    req, paths, env: ctx.env, emit,
    step: (name, state, detail) => emit({ kind: 'step', step: name, state, ...(detail ? { detail } : {}) }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(existing ? { existing } : {}),
    dirExisted: await pathExists(paths.dir),
    live, damaged, toStart: [], started: [], launches: [],
  };
}

async function upLocked(req: Request, paths: EnsemblePaths, ctx: UpContext): Promise<UpResult> {
  const run = await survey(req, paths, ctx);
  await runSteps(run, STEPS);
  return { spec: run.spec!, paths, started: run.started, created: !run.existing, ...(run.status ? { status: run.status } : {}) };
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
