/**
 * The recorded history of a consistency run (pure): what each client asked, what it was told,
 * and the fault steps, all on one monotonic clock (`t`, milliseconds from the start of the run).
 * Jepsen's shape: an operation is an `invoke` event and later one completion — `ok`, `fail`
 * (it definitely did not happen: the server said so) or `info` (indeterminate: a timeout or a
 * lost connection, so a write may or may not have taken effect). Serialised as NDJSON, a `meta`
 * line first, so `zkpseudo check-history FILE` can replay the check without the servers.
 */
import type { FaultStepAction } from '../../faults/chaos-run.js';

export const HISTORY_FORMAT = 'zkpseudo-history/1';

export type Workload = 'register' | 'queue' | 'lock';
export const WORKLOADS: readonly Workload[] = ['register', 'queue', 'lock'];

/**
 * How plain reads (getData, served by whichever server the session is on) are judged:
 * `sequential` is ZooKeeper's documented promise (a session never goes back in time; reads may
 * lag other clients' acknowledged writes); `linearizable` holds them to the register's real-time
 * order as well, which stale reads through a lagging follower fail. Sync reads are always
 * checked for linearizability.
 */
export type ReadMode = 'sequential' | 'linearizable';

export type OpName = 'read' | 'write' | 'cas' | 'enqueue' | 'dequeue' | 'drain' | 'acquire' | 'release';
export type Outcome = 'ok' | 'fail' | 'info';

export interface ClientInfo {
  client: number;
  /** The server the client is pinned to; null for a client on the whole connect string. */
  server: number | null;
  /** `final`: the checker's own client, which reads the end state after every fault is healed. */
  role: 'worker' | 'final';
}

export interface MetaEvent {
  type: 'meta';
  format: typeof HISTORY_FORMAT;
  workload: Workload;
  seed: number;
  ensemble: string;
  servers: number[];
  durationMs: number;
  intervalMs: number;
  /** Wall-clock start, for people; every `t` is monotonic milliseconds from it. */
  startedAt: string;
  /** The znode the run worked under. */
  root: string;
  clients: ClientInfo[];
  /** Register keys and the value and version each started with. */
  initial?: Record<string, { value: string; version: number }>;
}

export interface InvokeEvent {
  type: 'invoke';
  op: number;
  t: number;
  client: number;
  /** The ZooKeeper session id, hex. */
  session: string;
  /** The server the session was connected to when the operation was sent (null: not known). */
  server: number | null;
  f: OpName;
  key?: string;
  /** The value written, enqueued or (for a CAS) set. */
  value?: string;
  /** A CAS's expected Stat.version. */
  expect?: number;
  /** A read made linearizable: a multi holding one check op (a write, ordered by the leader) first. */
  sync?: boolean;
}

export interface CompletionEvent {
  type: Outcome;
  op: number;
  t: number;
  /** What a read returned, the element a dequeue took (or, for `info`, was taking), a drain's elements. */
  value?: string | string[];
  /** Stat.version after a write or of the node read. */
  version?: number;
  /** Stat.mzxid, hex: the transaction that made the value returned or written. */
  mzxid?: string;
  /** A lock acquired: when the last request that was answered was sent (the session's lease runs from it). */
  heard?: number;
  error?: string;
}

export interface FaultEvent {
  type: 'fault';
  t: number;
  phase: 'begin' | 'end';
  action: FaultStepAction;
  error?: string;
}

export interface SessionEvent {
  type: 'session';
  t: number;
  client: number;
  session: string;
  event: 'open' | 'expired' | 'abandoned' | 'closed';
  server: number | null;
  /** The session timeout the servers granted, in ms. */
  timeoutMs?: number;
}

export interface EndEvent {
  type: 'end';
  t: number;
  interrupted: boolean;
}

export type HistoryEvent = InvokeEvent | CompletionEvent | FaultEvent | SessionEvent | EndEvent;

export interface History {
  meta: MetaEvent;
  events: HistoryEvent[];
}

/** An operation assembled from its invocation and completion. */
export interface Op {
  id: number;
  client: number;
  session: string;
  server: number | null;
  f: OpName;
  key?: string;
  value?: string;
  expect?: number;
  sync?: boolean;
  call: number;
  /** Completion time; Infinity when the outcome is indeterminate (it may take effect at any later time). */
  ret: number;
  /** When the client learnt the outcome (for `info`: when it gave up), for display. */
  end: number;
  outcome: Outcome;
  result: { value?: string | string[]; version?: number; mzxid?: string; heard?: number; error?: string };
}

/** Pairs every invocation with its completion; one never completed is indeterminate from the end of the run. */
export function assembleOps(h: History): Op[] {
  const ops = new Map<number, Op>();
  let last = 0;
  for (const e of h.events) {
    last = Math.max(last, e.t);
    if (e.type === 'invoke') {
      ops.set(e.op, {
        id: e.op, client: e.client, session: e.session, server: e.server, f: e.f, call: e.t, ret: Infinity, end: Infinity, outcome: 'info', result: {},
        ...pick(e, ['key', 'value', 'expect', 'sync']),
      });
    } else if (e.type === 'ok' || e.type === 'fail' || e.type === 'info') {
      const op = ops.get(e.op);
      if (!op) continue;
      op.outcome = e.type;
      op.end = e.t;
      op.ret = e.type === 'info' ? Infinity : e.t;
      op.result = pick(e, ['value', 'version', 'mzxid', 'heard', 'error']);
    }
  }
  for (const op of ops.values()) if (op.end === Infinity) { op.end = last; op.result.error ??= 'still pending at the end of the run'; }
  return [...ops.values()].sort((a, b) => a.call - b.call || a.id - b.id);
}

/** The keys of `o` that are set, as a new object (no `undefined` values spread around). */
function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The fault events, in time order. */
export function faultEvents(h: History): FaultEvent[] {
  return h.events.filter((e): e is FaultEvent => e.type === 'fault');
}

export function sessionEvents(h: History): SessionEvent[] {
  return h.events.filter((e): e is SessionEvent => e.type === 'session');
}
