/**
 * zkpseudo as a library: `up()` an ensemble, get a handle, `down()` it. The CLI is a thin layer
 * over the same functions. Nothing here prints; progress reaches `onEvent` if you ask for it.
 */
import { resolveHome, ensemblePaths, type EnsemblePaths } from './ensemble/store/layout.js';
import { killServers, restartServers, signalServers, startServers, stopServers, downEnsemble, type OpContext, type ServerSelector } from './ensemble/lifecycle/ops.js';
import { applyFault } from './ensemble/faults/operations.js';
import { waitFor } from './ensemble/observe/wait-condition.js';
import { parseCondition, type Condition } from './zk/conditions.js';
import { connectString, probeEnsemble, type EnsembleStatus, type ServerStatus } from './ensemble/observe/probe.js';
import { readSpec } from './ensemble/store/spec-file.js';
import { secureConnectString } from './ensemble/security/endpoints.js';
import { upEnsemble, type UpEvent } from './ensemble/lifecycle/up.js';
import { waitHealthy } from './ensemble/observe/wait-healthy.js';
import { checkShape, parseDuration, DEFAULT_TIMEOUT_MS } from './options/options.js';
import { ENSEMBLE_NAME } from './options/names.js';
import { UsageError } from './errors.js';
import type { EnsembleOptions, EnsembleSpec, PeerType } from './options/types.js';
import type { StartOutcome, StopOutcome } from './ensemble/lifecycle/servers.js';
import { repairServer, type RepairResult } from './ensemble/lifecycle/repair.js';

export { ZkpseudoError, UsageError, NoSuchEnsembleError, DamagedEnsembleError, InterruptedError, ExitCode } from './errors.js';
export { HealthTimeoutError } from './ensemble/observe/wait-healthy.js';
export { WaitTimeoutError } from './ensemble/observe/wait-condition.js';
export type { Condition } from './zk/conditions.js';
export type { ServerFaults } from './ensemble/faults/links.js';
export type { EnsembleOptions, EnsembleSpec, EnsembleStatus, ServerStatus, UpEvent, ServerSelector, StartOutcome, StopOutcome, RepairResult };
export type { Health, HealthState, Role } from './zk/health.js';
export type { RemoteStatus, RemoteServerStatus } from './ensemble/remote/probe.js';
export { exportEnsemble } from './export/export.js';
export type { ExportOptions, ExportResult, ExportTarget } from './export/export.js';

export interface UpOptions extends EnsembleOptions {
  /** Environment to read ZKPSEUDO_HOME, ZKPSEUDO_CACHE, ZKPSEUDO_MIRROR, JAVA_HOME and PATH from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Cancels an in-progress `up`: the servers it started are stopped, data is kept. */
  signal?: AbortSignal;
  /** Progress: steps, download bytes, notices (such as a fallback), and each status poll. */
  onEvent?: (e: UpEvent) => void;
  /**
   * While `up()` runs, SIGINT/SIGTERM of this process stop the servers it started and then
   * re-raise the signal (default true). A finished `up()` leaves its servers running until `down()`.
   */
  handleSignals?: boolean;
}

/** A server as it was configured; `status()` says what it is doing now. */
export interface ServerInfo {
  id: number;
  peerType: PeerType;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  dataDir: string;
  /** Role and pid when the handle was made (after `up`, the healthy state). */
  role: ServerStatus['role'] | null;
  pid: number | null;
}

export interface Ensemble {
  readonly name: string;
  readonly home: string;
  readonly dir: string;
  readonly zkVersion: string;
  /** `127.0.0.1:p1,127.0.0.1:p2,…` for any ZooKeeper client (on a `tlsOnly` ensemble, its TLS ports). */
  readonly connectString: string;
  /** The TLS client ports' connect string, on an ensemble made with `tls` or `tlsOnly`. */
  readonly secureConnectString?: string;
  /**
   * What a client of a secured ensemble needs, as `zkpseudo env` prints it: ZK_SECURE_CONNECT,
   * ZK_TLS_CA/CERT/KEY, ZK_TLS_TRUSTSTORE(_PASSWORD), ZK_SASL_USER/PASSWORD/JAAS, ZK_CLIENT_CONFIG
   * (empty on a plain ensemble).
   */
  clientSettings(): Promise<Record<string, string>>;
  readonly servers: ServerInfo[];
  /** The same data `zkpseudo status --json` prints. */
  status(): Promise<EnsembleStatus>;
  stop(id: ServerSelector): Promise<Record<number, StopOutcome>>;
  start(id: ServerSelector): Promise<Record<number, StartOutcome>>;
  restart(id: ServerSelector): Promise<Record<number, StartOutcome>>;
  /** SIGKILL, as a crash would; returns the ids killed. */
  kill(id: ServerSelector): Promise<number[]>;
  /** Resolves with the healthy status, or rejects with HealthTimeoutError. */
  waitHealthy(opts?: { timeout?: string | number }): Promise<EnsembleStatus>;
  /** Stops every server and waits until the processes are gone; `purge` deletes the data too. */
  down(opts?: { purge?: boolean }): Promise<void>;
  /**
   * Resolves once the condition holds: "healthy", "degraded", "serving", "leader",
   * "new-leader" (a leader other than the one when the wait began), or "down 2"; rejects with
   * WaitTimeoutError (carrying the last status) after `timeout` (default 60s).
   */
  waitFor(condition: string | Condition, opts?: { timeout?: string | number }): Promise<EnsembleStatus>;
  /** SIGSTOP: a hung server (a long GC pause). Returns the ids paused. */
  pause(id: ServerSelector): Promise<number[]>;
  /** SIGCONT a paused server. */
  resume(id: ServerSelector): Promise<number[]>;
  /** Cuts a server off from every other server (needs `faults: true`). */
  isolate(id: number | 'leader'): Promise<void>;
  /** Splits the servers into groups that cannot reach each other, like [[1, 2], [3]] (needs `faults: true`). */
  partition(groups: number[][]): Promise<void>;
  /** Cuts a server off from its clients (needs `faults: true`). */
  isolateClients(id: number | 'leader'): Promise<void>;
  /** Slows the link between two servers, or a server and its clients (`to` = "clients"), by `ms` (needs `faults: true`). */
  delay(from: number | 'leader', to: number | 'leader' | 'clients', ms: number, opts?: { jitterMs?: number }): Promise<void>;
  /** Restores every link. */
  heal(): Promise<void>;
  /**
   * Moves server `id`'s data aside (into `<dataDir>/zkpseudo-quarantine/<timestamp>/`, never
   * deleted) and starts it empty so it resyncs from the others: for a server whose data is out
   * of step and cannot start. Stops it first if it runs. Only while the other voters hold a
   * quorum without it (else rejects with exit code 2, nothing changed), so no acknowledged
   * write is lost; resolves once it serves again (`timeout`, default 60s).
   */
  repair(id: number, opts?: { timeout?: string | number }): Promise<RepairResult>;
}

function handle(spec: EnsembleSpec, paths: EnsemblePaths, env: NodeJS.ProcessEnv, status?: EnsembleStatus): Ensemble {
  const op: OpContext = { paths, env };
  return {
    name: spec.name,
    home: paths.home,
    dir: paths.dir,
    zkVersion: spec.zkVersion,
    connectString: connectString(spec),
    ...(spec.security?.tls ? { secureConnectString: secureConnectString(spec) } : {}),
    clientSettings: async () => (spec.security ? (await import('./ensemble/security/env.js')).securityEnv(paths, spec) : {}),
    servers: spec.members.map((m) => {
      const s = status?.servers.find((x) => x.id === m.id);
      return {
        id: m.id, peerType: m.peerType, clientPort: m.ports.client, quorumPort: m.ports.quorum, electionPort: m.ports.election,
        dataDir: paths.server(m.id).dataDir, role: s?.role ?? null, pid: s?.pid ?? null,
      };
    }),
    status: () => probeEnsemble(paths, spec),
    stop: (id) => stopServers(op, id),
    start: (id) => startServers(op, id),
    restart: (id) => restartServers(op, id),
    kill: (id) => killServers(op, id),
    waitHealthy: (o = {}) => waitHealthy(paths, spec, { timeoutMs: timeoutOf(o.timeout) }),
    down: async (o = {}) => { await downEnsemble(op, o); },
    waitFor: (condition, o = {}) => {
      const c = typeof condition === 'string' ? parseCondition([condition]) : condition;
      if (typeof c === 'string') return Promise.reject(new UsageError(`waitFor: ${c}.`, 'Conditions: healthy, degraded, serving, leader, new-leader, "down ID".'));
      return waitFor(paths, spec, c, { timeoutMs: timeoutOf(o.timeout) });
    },
    pause: (id) => signalServers(op, id, 'SIGSTOP'),
    resume: (id) => signalServers(op, id, 'SIGCONT'),
    isolate: async (id) => { await applyFault(op, { op: 'isolate', id }); },
    partition: async (groups) => { await applyFault(op, { op: 'partition', groups }); },
    isolateClients: async (id) => { await applyFault(op, { op: 'isolate-clients', id }); },
    delay: async (from, to, ms, o = {}) => { await applyFault(op, { op: 'delay', from, to, ms, jitterMs: o.jitterMs ?? 0 }); },
    heal: async () => { await applyFault(op, { op: 'heal' }); },
    repair: async (id, o = {}) => repairServer(op, id, { timeoutMs: timeoutOf(o.timeout) }),
  };
}

function timeoutOf(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`timeout: ${JSON.stringify(value)} is not a duration from 1ms to 24h.`, 'Give a duration like "30s" or a number of seconds.');
  return ms;
}

/** Creates (or resumes) an ensemble and waits for a healthy quorum unless `wait: false`. */
export async function up(options: UpOptions = {}): Promise<Ensemble> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new UsageError(`up(${JSON.stringify(options)}): the options must be an object such as { servers: 3 }.`, 'See the README\'s "Library" section for every option.');
  }
  const { env = process.env, signal, onEvent, handleSignals = true, ...ensembleOptions } = options;
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort(), { once: true });
  let caught: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => { caught = sig; controller.abort(); };
  if (handleSignals) { process.on('SIGINT', onSignal); process.on('SIGTERM', onSignal); }
  try {
    const result = await upEnsemble(ensembleOptions, { env, signal: controller.signal, ...(onEvent ? { onEvent } : {}) });
    return handle(result.spec, result.paths, env, result.status);
  } finally {
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Our listener kept the signal from ending the process; now that the servers are
      // stopped, let it have the effect it would have had. It arrives asynchronously: wait a
      // moment so it can, before the InterruptedError (for hosts that handle it) is thrown.
      if (caught) {
        process.kill(process.pid, caught);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

/** A handle on an ensemble that already exists (created by the CLI or an earlier `up()`). */
export async function open(name = 'default', opts: { home?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ensemble> {
  const env = opts.env ?? process.env;
  // The same checks as `up()`: a name is a directory under the home dir, nothing that climbs out.
  if (typeof name !== 'string' || !ENSEMBLE_NAME.test(name)) {
    throw new UsageError(`open(${JSON.stringify(name)}): not a valid ensemble name.`, 'Use letters, digits, ".", "_" and "-" (up to 64), starting with a letter or digit.');
  }
  const shape = checkShape({ home: opts.home });
  if (shape.length) throw new UsageError(`open(): ${shape.map((i) => `${i.key}: ${i.message}`).join('; ')}.`, 'Pass { home?: string, env?: object }.');
  const paths = ensemblePaths(resolveHome(env, opts.home), name);
  const spec = await readSpec(paths);
  return handle(spec, paths, env);
}
