/**
 * zkpseudo as a library: `up()` an ensemble, get a handle, `down()` it. The CLI is a thin layer
 * over the same functions. Nothing here prints; progress reaches `onEvent` if you ask for it.
 */
import { resolveHome, ensemblePaths, type EnsemblePaths } from './ensemble/store/layout.js';
import { killServers, restartServers, selectMembers, signalServers, startServers, stopServers, downEnsemble, type OpContext, type ServerSelector } from './ensemble/lifecycle/ops.js';
import { applyFault } from './ensemble/faults/operations.js';
import { waitFor } from './ensemble/observe/wait-condition.js';
import { settleCondition, type SettleVerb } from './ensemble/observe/settle.js';
import { logTail } from './ensemble/observe/logs.js';
import { parseCondition, type Condition } from './zk/state/conditions.js';
import { connectString, probeEnsemble, type EnsembleStatus, type ServerStatus } from './ensemble/observe/probe.js';
import { readSpec } from './ensemble/store/spec-file.js';
import { secureConnectString } from './ensemble/security/endpoints.js';
import { upEnsemble, type UpEvent } from './ensemble/lifecycle/up.js';
import { reuseHealthy } from './ensemble/lifecycle/reuse.js';
import { sweepThrowaways, throwawayName } from './ensemble/lifecycle/throwaway.js';
import { waitHealthy } from './ensemble/observe/wait-healthy.js';
import { upgradeEnsemble, UpgradeStoppedError, type UpgradeEvent } from './ensemble/upgrade/upgrade.js';
import { memberVersion } from './options/member-versions.js';
import { checkShape, codeDurationIssue, parseDuration, DEFAULT_TIMEOUT_MS } from './options/options.js';
import { ENSEMBLE_NAME } from './options/names.js';
import { NoSuchEnsembleError, UsageError } from './errors.js';
import type { EnsembleOptions, EnsembleSpec, PeerType } from './options/types.js';
import type { StartOutcome, StopOutcome } from './ensemble/lifecycle/servers.js';
import { chaosOnHandle, type ChaosOptions, type ChaosResult } from './ensemble/consistency/chaos-api.js';
import type { ResetResult } from './ensemble/tree/reset.js';
import type { SeedResult } from './ensemble/tree/seed.js';
import type { Namespace } from './ensemble/tree/namespace.js';
import type { TreeNode } from './ensemble/tree/tree-file.js';
import { repairServer, type RepairResult } from './ensemble/lifecycle/repair.js';

export { ZkpseudoError, UsageError, NoSuchEnsembleError, DamagedEnsembleError, InterruptedError, ExitCode } from './errors.js';
export { HealthTimeoutError } from './ensemble/observe/wait-healthy.js';
export { WaitTimeoutError } from './ensemble/observe/wait-condition.js';
export { UpgradeStoppedError } from './ensemble/upgrade/upgrade.js';
export type { UpgradeEvent } from './ensemble/upgrade/upgrade.js';
export type { Condition } from './zk/state/conditions.js';
export type { ServerFaults } from './ensemble/faults/links.js';
export type { EnsembleOptions, EnsembleSpec, EnsembleStatus, ServerStatus, UpEvent, ServerSelector, StartOutcome, StopOutcome, RepairResult };
export type { Health, HealthState, Role } from './zk/state/health.js';
export type { ChaosOptions, ChaosResult };
export type { ChaosStep, FaultStepAction } from './ensemble/faults/chaos-run.js';
export type { ChaosAction } from './ensemble/faults/chaos-plan.js';
export { checkHistory, type CheckOptions } from './ensemble/consistency/check/checker.js';
export { parseHistory, historyToNdjson } from './ensemble/consistency/check/history-ndjson.js';
export type { History, HistoryEvent, MetaEvent, Op, ReadMode, Workload } from './ensemble/consistency/check/history.js';
export type { CheckReport, PropertyVerdict, Violation } from './ensemble/consistency/check/verdict.js';
export { ResetIncompleteError } from './ensemble/tree/errors.js';
export type { ResetResult, SeedResult, Namespace };
export type { RemoteStatus, RemoteServerStatus } from './ensemble/remote/probe.js';
export { exportEnsemble } from './export/export.js';
export type { ExportOptions, ExportResult, ExportTarget } from './export/export.js';

/**
 * A duration in the library: a number of milliseconds (`1500`), or a string with its unit
 * (`'1.5s'`, `'200ms'`, `'2m'`). A string without a unit is refused: on the command line "90"
 * means seconds, so code must say which it means.
 */
export type Duration = number | `${number}ms` | `${number}s` | `${number}m` | `${number}h`;

/** Waiting after an operation: `wait: true` waits until the ensemble settles (see each method). */
export interface WaitOptions {
  wait?: boolean;
  /** How long `wait` waits (default 60 s); rejects with WaitTimeoutError after it. */
  timeout?: Duration;
}

export interface UpOptions extends Omit<EnsembleOptions, 'timeout' | 'tick' | 'owner'> {
  /**
   * Resume the ensemble called `name` (default "default") if it exists, and keep it on
   * `down()`. Without `reuse` or a `name`, `up()` makes a throwaway ensemble: a unique name,
   * an owner lease on this process, deleted by `down()`.
   */
  reuse?: boolean;
  /** How long `up` waits for a healthy quorum (default 60 s). */
  timeout?: Duration;
  /** ZooKeeper's tickTime (default 2000 ms); initLimit/syncLimit stay in ticks, so they scale. */
  tick?: Duration;
  /**
   * The pid whose life the servers share: when it exits, however it dies, they stop (data
   * kept). Default: this process for a throwaway ensemble, none with `reuse` or a `name`;
   * `false` for none.
   */
  owner?: number | false;
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
  /**
   * A tree to create once the quorum is healthy: a tree file's path (as `zkpseudo dump` writes
   * it) or an object in its shape ({ '/app': 'hello' }). Checked before anything starts.
   */
  seed?: string | Record<string, unknown>;
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

export interface Ensemble extends AsyncDisposable {
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
  /**
   * Stops servers (SIGTERM, then waits until the processes are gone). With `wait`, then
   * waits until the others serve again: a new leader when the leader was stopped.
   */
  stop(id: ServerSelector, opts?: WaitOptions): Promise<Record<number, StopOutcome>>;
  /** Starts servers; with `wait`, until they serve in a quorum. */
  start(id: ServerSelector, opts?: WaitOptions): Promise<Record<number, StartOutcome>>;
  /** Stops, then starts servers; with `wait`, until they serve in a quorum. */
  restart(id: ServerSelector, opts?: WaitOptions): Promise<Record<number, StartOutcome>>;
  /**
   * SIGKILL, as a crash would; returns the ids killed. With `wait`, waits until the survivors
   * serve: after `kill('leader')`, until they have elected a new leader.
   */
  kill(id: ServerSelector, opts?: WaitOptions): Promise<number[]>;
  /** Resolves with the healthy status, or rejects with HealthTimeoutError. */
  waitHealthy(opts?: { timeout?: Duration }): Promise<EnsembleStatus>;
  /**
   * Stops every server and waits until the processes are gone. The data is deleted when this
   * handle's `up()` made a throwaway ensemble (no `name`, no `reuse`) unless `keep`, and
   * otherwise only with `purge`. `await using zk = await up()` calls this at the end of the scope.
   */
  down(opts?: { purge?: boolean; keep?: boolean }): Promise<void>;
  /**
   * Resolves once the condition holds: "healthy", "degraded", "serving", "leader",
   * "new-leader" (a leader other than the one the last kill, stop, pause, isolate or partition
   * took away — even when it was elected before this call — else other than the one when the
   * wait began), or "down 2"; rejects with WaitTimeoutError (carrying the last status) after
   * `timeout` (default 60 s).
   */
  waitFor(condition: string | Condition, opts?: { timeout?: Duration }): Promise<EnsembleStatus>;
  /** The last `lines` (default 50) lines of a server's log ("" before it has written one). */
  logs(id: number | 'leader', opts?: { lines?: number }): Promise<string>;
  /** SIGSTOP: a hung server (a long GC pause). Returns the ids paused; `wait` as for `kill`. */
  pause(id: ServerSelector, opts?: WaitOptions): Promise<number[]>;
  /** SIGCONT a paused server; with `wait`, until it serves again. */
  resume(id: ServerSelector, opts?: WaitOptions): Promise<number[]>;
  /**
   * Cuts a server off from every other server (needs `faults: true`); with `wait`, until the
   * others serve (a new leader, when it led).
   */
  isolate(id: number | 'leader', opts?: WaitOptions): Promise<void>;
  /** Splits the servers into groups that cannot reach each other, like [[1, 2], [3]] (needs `faults: true`). */
  partition(groups: number[][]): Promise<void>;
  /** Cuts a server off from its clients (needs `faults: true`). */
  isolateClients(id: number | 'leader'): Promise<void>;
  /** Slows the link between two servers, or a server and its clients (`to` = "clients"), by `ms` (needs `faults: true`). */
  delay(from: number | 'leader', to: number | 'leader' | 'clients', ms: number, opts?: { jitterMs?: number }): Promise<void>;
  /** Restores every link. */
  heal(): Promise<void>;
  /**
   * A seeded fault schedule (`zkpseudo chaos`), undone at the end. With `workload`, real
   * clients perform it meanwhile and the history comes back; with `check: true`, its verdict too.
   */
  chaos(opts?: ChaosOptions): Promise<ChaosResult>;
  /**
   * Moves server `id`'s data aside (into `<dataDir>/zkpseudo-quarantine/<timestamp>/`, never
   * deleted) and starts it empty so it resyncs from the others: for a server whose data is out
   * of step and cannot start. Stops it first if it runs. Only while the other voters hold a
   * quorum without it (else rejects with exit code 2, nothing changed), so no acknowledged
   * write is lost; resolves once it serves again (`timeout`, default 60s).
   */
  repair(id: number, opts?: { timeout?: Duration }): Promise<RepairResult>;
  /**
   * Moves every server to ZooKeeper `version`, one at a time — observers, then followers, the
   * leader last — waiting after each until it serves again with the rest of the quorum; data
   * is kept. A downgrade needs `force`. Rejects with UpgradeStoppedError (its `versions` say
   * which server runs what) when a server does not serve on the new release (it is put back
   * on its old one) or `signal` aborts between two servers: the ensemble is left mixed, working.
   */
  upgrade(version: string, opts?: UpgradeCallOptions): Promise<UpgradeOutcome>;
  /**
   * Empties the tree between tests: every znode but /zookeeper and the `keep` subtrees, as the
   * ensemble's super user — nodes whose ACL forbids everyone else, ephemeral nodes of live
   * sessions (counted) and the quota entries of removed paths included. Rejects with a
   * ResetIncompleteError naming what stayed.
   */
  reset(opts?: { keep?: string[] }): Promise<ResetResult>;
  /** The subtree at `path` (default `/`) as a tree file (YAML), as `zkpseudo dump` writes it. */
  dump(path?: string): Promise<string>;
  /**
   * Creates a tree: a tree file's path, or an object in its shape ({ '/app': 'hello' }). Paths
   * that exist are an error before anything is written, unless `replace` (their subtrees go).
   */
  seed(tree: string | Record<string, unknown>, opts?: { replace?: boolean }): Promise<SeedResult>;
  /**
   * A fresh chroot for one test: `{ connectString, path, close() }`; `close()` (or the end of an
   * `await using` block) deletes it with everything under it. `prefix` names it (default "ns").
   */
  namespace(prefix?: string): Promise<Namespace>;
}

/** The tree operations, loaded when first used (they bring the ZooKeeper client). */
const tree = {
  // A handle keeps a session between calls (a test's beforeEach resets again and again).
  target: async (paths: EnsemblePaths, spec: EnsembleSpec) => ({ ...(await (await import('./ensemble/tree/target.js')).ensembleTarget(paths, spec)), reuse: true }),
  reset: () => import('./ensemble/tree/reset.js'),
  dump: () => import('./ensemble/tree/dump.js'),
  seed: () => import('./ensemble/tree/seed.js'),
  namespace: () => import('./ensemble/tree/namespace.js'),
};

async function seedEnsemble(paths: EnsemblePaths, spec: EnsembleSpec, nodes: TreeNode[], replace?: boolean): Promise<SeedResult> {
  return (await tree.seed()).seedTree(await tree.target(paths, spec), nodes, { replace: !!replace });
}

export interface UpgradeCallOptions {
  /** Where the release's tarball comes from, as in `up()`. */
  dist?: string;
  mirror?: string;
  offline?: boolean;
  /** Allow moving to an older release. */
  force?: boolean;
  /** How long to wait for each server to serve again (default 60s). */
  timeout?: Duration;
  signal?: AbortSignal;
  onEvent?: (e: UpgradeEvent) => void;
}

export interface UpgradeOutcome {
  /** The ensemble's release after the call (every server's, unless some were left behind). */
  zkVersion: string;
  /** Each server's release. */
  versions: Record<number, string>;
  /** Servers moved by this call, in order; those already on the release; those moved while stopped. */
  moved: number[];
  already: number[];
  leftStopped: number[];
  status?: EnsembleStatus;
}

function handle(initial: EnsembleSpec, paths: EnsemblePaths, env: NodeJS.ProcessEnv, status?: EnsembleStatus, throwaway = false): Ensemble {
  const op: OpContext = { paths, env };
  // `upgrade` changes which release each server runs: the handle follows it.
  let spec = initial;
  /** With `wait`, waits until the ensemble settles after `verb` on `ids` (observe/settle). */
  const settle = async (verb: SettleVerb, ids: number[], o: WaitOptions | undefined): Promise<void> => {
    if (!o?.wait) return;
    await waitFor(paths, spec, await settleCondition(paths, verb, ids), { timeoutMs: timeoutOf(o.timeout) });
  };
  const after = async <T>(verb: SettleVerb, o: WaitOptions | undefined, act: () => Promise<T>, ids: (r: T) => number[]): Promise<T> => {
    if (o?.timeout !== undefined) timeoutOf(o.timeout); // a bad timeout is refused before anything happens
    const result = await act();
    await settle(verb, ids(result), o);
    return result;
  };
  const keys = (r: Record<number, string>) => Object.keys(r).map(Number);
  const same = (r: number[]) => r;
  let downDone = false;
  const down = async (o: { purge?: boolean; keep?: boolean } = {}) => {
    if (o.purge && o.keep) throw new UsageError('down({ purge: true, keep: true }): choose one.', '`purge` deletes the ensemble; `keep` keeps its data.');
    await downEnsemble(op, { purge: o.purge ?? (throwaway && !o.keep) });
    downDone = true;
  };
  return {
    name: spec.name,
    home: paths.home,
    dir: paths.dir,
    get zkVersion() { return spec.zkVersion; },
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
    stop: (id, o) => after('stop', o, () => stopServers(op, id), keys),
    start: (id, o) => after('start', o, () => startServers(op, id), keys),
    restart: (id, o) => after('restart', o, () => restartServers(op, id), keys),
    kill: (id, o) => after('kill', o, () => killServers(op, id), same),
    waitHealthy: async (o = {}) => waitHealthy(paths, spec, { timeoutMs: timeoutOf(o.timeout) }),
    down,
    // A scope's end after an explicit down() has nothing left to do.
    [Symbol.asyncDispose]: async () => {
      if (downDone) return;
      await down().catch((err: unknown) => { if (!(err instanceof NoSuchEnsembleError)) throw err; });
    },
    waitFor: async (condition, o = {}) => {
      const c = typeof condition === 'string' ? parseCondition([condition]) : condition;
      if (typeof c === 'string') throw new UsageError(`waitFor: ${c}.`, 'Conditions: healthy, degraded, serving, leader, new-leader, "down ID".');
      return waitFor(paths, spec, c, { timeoutMs: timeoutOf(o.timeout) });
    },
    logs: async (id, o = {}) => {
      const lines = o.lines ?? 50;
      if (!Number.isInteger(lines) || lines < 1 || lines > 100_000) throw new UsageError(`logs: lines ${JSON.stringify(o.lines)} is not a whole number from 1 to 100000.`, 'Pass { lines: 50 }, for instance.');
      const [member] = await selectMembers(op, spec, id);
      return logTail(paths, member!.id, lines);
    },
    pause: (id, o) => after('pause', o, () => signalServers(op, id, 'SIGSTOP'), same),
    resume: (id, o) => after('resume', o, () => signalServers(op, id, 'SIGCONT'), same),
    isolate: async (id, o) => { await after('isolate', o, () => applyFault(op, { op: 'isolate', id }), (r) => r.removed); },
    partition: async (groups) => { await applyFault(op, { op: 'partition', groups }); },
    isolateClients: async (id) => { await applyFault(op, { op: 'isolate-clients', id }); },
    delay: async (from, to, ms, o = {}) => { await applyFault(op, { op: 'delay', from, to, ms, jitterMs: o.jitterMs ?? 0 }); },
    heal: async () => { await applyFault(op, { op: 'heal' }); },
    chaos: (o) => chaosOnHandle(op, o),
    repair: async (id, o = {}) => repairServer(op, id, { timeoutMs: timeoutOf(o.timeout) }),
    upgrade: async (version, o = {}) => {
      const { timeout, ...rest } = o;
      try {
        const r = await upgradeEnsemble(op, { version, ...rest, timeoutMs: timeoutOf(timeout) });
        spec = r.spec;
        return { zkVersion: spec.zkVersion, versions: versionsOf(spec), moved: r.moved, already: r.already, leftStopped: r.leftStopped, ...(r.status ? { status: r.status } : {}) };
      } catch (err) {
        if (err instanceof UpgradeStoppedError) spec = err.spec;
        throw err;
      }
    },
    reset: async (o = {}) => (await tree.reset()).resetTree(await tree.target(paths, spec), o),
    dump: async (path = '/') => (await (await tree.dump()).dumpTree(await tree.target(paths, spec), path)).text,
    seed: async (input, o = {}) => seedEnsemble(paths, spec, await (await tree.seed()).treeInput(input), o.replace),
    namespace: async (prefix) => (await tree.namespace()).openNamespace(await tree.target(paths, spec), prefix),
  };
}

const versionsOf = (s: EnsembleSpec) => Object.fromEntries(s.members.map((m) => [m.id, memberVersion(s, m)]));

/** A library duration (a number of ms, or a string with a unit) → ms, or a UsageError. */
function timeoutOf(value: Duration | undefined, key = 'timeout'): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const issue = codeDurationIssue(value);
  const ms = issue ? undefined : parseDuration(value);
  if (ms === undefined) throw new UsageError(`${key}: ${issue ?? `${JSON.stringify(value)} is not a duration from 1 ms to 24 h`}.`, 'Give milliseconds as a number (1500) or a string with a unit ("1.5s", "2m").');
  return ms;
}

/**
 * Creates an ensemble and waits for a healthy quorum unless `wait: false`. Without `name` or
 * `reuse` it is a throwaway: a unique name, `ports: 'auto'`, an owner lease on this process,
 * deleted by `down()`. With them it is created or resumed, and kept. Ports default to "auto"
 * (an existing ensemble keeps the ports it was made with).
 */
export async function up(options: UpOptions = {}): Promise<Ensemble> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new UsageError(`up(${JSON.stringify(options)}): the options must be an object such as { servers: 3 }.`, 'See the README\'s "Library" section for every option.');
  }
  const { env = process.env, signal, onEvent, handleSignals = true, reuse, owner, seed, ...rest } = options;
  if (reuse !== undefined && typeof reuse !== 'boolean') throw new UsageError(`Invalid option reuse: ${JSON.stringify(reuse)} is not true or false.`, 'Pass reuse: true to resume an ensemble and keep it.');
  for (const key of ['timeout', 'tick'] as const) {
    const issue = rest[key] === undefined ? undefined : codeDurationIssue(rest[key]);
    if (issue) throw new UsageError(`Invalid option ${key}: ${issue}.`, 'Give milliseconds as a number (1500) or a string with a unit ("1.5s", "200ms").');
  }
  // Throwaway unless told otherwise: two test runs at once never meet, and a crashed run's
  // servers stop with it and are never resumed by the next (README "Library").
  const throwaway = !reuse && rest.name === undefined;
  const ensembleOptions: EnsembleOptions = {
    ...rest,
    ...(throwaway ? { name: throwawayName() } : {}),
    ...(owner === false ? {} : owner !== undefined ? { owner } : throwaway ? { owner: process.pid } : {}),
  };
  // A seed is checked before anything starts, and needs the quorum up() waits for.
  if (seed !== undefined && ensembleOptions.wait === false) throw new UsageError('up(): seed needs a serving quorum, so it cannot go with wait: false.', 'Leave out wait: false, or call zk.seed() once the ensemble serves.');
  const nodes = seed === undefined ? undefined : await (await tree.seed()).treeInput(seed);
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort(), { once: true });
  let caught: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => { caught = sig; controller.abort(); };
  if (handleSignals) { process.on('SIGINT', onSignal); process.on('SIGTERM', onSignal); }
  try {
    const ctx = { env, signal: controller.signal, defaults: { ports: 'auto' as const }, ...(onEvent ? { onEvent } : {}) };
    // What crashed runs left behind goes first (best effort: it never fails this up()).
    if (throwaway) {
      try {
        await sweepThrowaways(resolveHome(env, rest.home), env, (text) => onEvent?.({ kind: 'notice', text }));
      } catch { /* a bad home is reported by upEnsemble itself */ }
    }
    // A throwaway name is new: only a reused ensemble can already be healthy as asked.
    const result = (throwaway ? undefined : await reuseHealthy(ensembleOptions, ctx)) ?? (await upEnsemble(ensembleOptions, ctx));
    // A seed that fails leaves the ensemble running, as `zkpseudo up --seed` does; open() reaches it.
    if (nodes) await seedEnsemble(result.paths, result.spec, nodes);
    return handle(result.spec, result.paths, env, result.status, throwaway && result.created);
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
