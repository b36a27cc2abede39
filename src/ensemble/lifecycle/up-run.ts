/** What the steps of `up` share and report: the run's context, its events, and the step shape (see up.ts). */
import type { Launch } from '../../edge/process/server.js';
import type { Defaults, Request } from '../../options/options.js';
import type { EnsembleSpec } from '../../options/types.js';
import type { ResolvedDist } from '../../tarball/resolve.js';
import type { LiveServer } from '../observe/identity.js';
import type { EnsembleStatus } from '../observe/probe.js';
import type { EnsemblePaths } from '../store/layout.js';

/** `reuse` stands alone (a healthy ensemble proven as asked, see reuse.ts); `restart` is a rolling restart for changed settings. */
export type StepName = 'java' | 'dist' | 'ports' | 'unpack' | 'configure' | 'start' | 'wait' | 'restart' | 'reuse';

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
  /** Defaults the caller chooses over the built-in ones (the library's ports are "auto"). */
  defaults?: Defaults;
}

export interface UpResult {
  spec: EnsembleSpec;
  paths: EnsemblePaths;
  /** The final status (healthy unless `wait: false`). */
  status?: EnsembleStatus;
  /** Ids of the servers this call started. */
  started: number[];
  /** Ids of running servers this call restarted, one at a time, to apply changed settings. */
  restarted: number[];
  /** True when the ensemble was created by this call. */
  created: boolean;
  /** True when it already served healthy as asked and nothing was done (reuse.ts). */
  reused: boolean;
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
  /** A new ensemble's tarball. */
  dist?: ResolvedDist;
  /** Tarballs fetched again for damaged copies whose tarball was gone, by the recorded digest. */
  refetched: Map<string, ResolvedDist>;
  spec?: EnsembleSpec;
  /** Ids this `up` must start (every one not already running). */
  toStart: number[];
  /** Ids this `up` started (each one's launch finished). */
  started: number[];
  /** Settings that change for servers that already run (see shape.ts): they are restarted one at a time. */
  changes: string[];
  /** Running servers restarted so far to apply `changes`. */
  restarted: number[];
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
