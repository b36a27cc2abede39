/**
 * One client of a consistency run: a real ZooKeeper session (pinned to one server, or on the
 * whole connect string) through which a workload performs operations, each recorded with its
 * invocation and completion. Outcomes are classified conservatively: `fail` only when a server
 * answered that the operation did not happen (BAD_VERSION, NO_NODE, …); a lost connection, an
 * expired session or no answer in time is indeterminate (`info`). An operation without an answer
 * within the session timeout gives the session up (a paused server would hold it forever) and
 * the next operation opens a new one.
 */
import { connect, zkErrorName, type Session } from '../../edge/zkclient.js';
import { sleep } from '../../edge/sleep.js';
import type { InvokeEvent, Outcome } from './check/history.js';
import type { Recorder } from './recorder.js';

/** Server answers that mean the operation did not take effect. */
const DEFINITE = new Set(['BAD_VERSION', 'NO_NODE', 'NODE_EXISTS', 'NOT_EMPTY', 'BAD_ARGUMENTS', 'NO_AUTH', 'INVALID_ACL', 'NO_CHILDREN_FOR_EPHEMERALS']);

export interface Completion {
  type: 'ok' | 'fail';
  value?: string | string[];
  version?: number;
  mzxid?: string;
  heard?: number;
  error?: string;
}

export type Result = Omit<Completion, 'type'> & { outcome: Outcome };

/** Thrown by a workload step to say which element an interrupted operation was taking. */
export class Attempt extends Error {
  constructor(readonly reason: unknown, readonly value: string) {
    super((reason as Error)?.message ?? String(reason));
  }
}

export interface WorkerOptions {
  client: number;
  /** One server's client address, or the whole connect string. */
  address: string;
  /** The server id the address names; null for the whole connect string. */
  pinned: number | null;
  /** The server a connected session's peer port belongs to. */
  serverOf: (port: number | undefined) => number | null;
  recorder: Recorder;
  /** True once the run stops: no new session, no new operation. */
  stopped: () => boolean;
  /** Asked of the servers for every session, ms. */
  sessionTimeoutMs: number;
  /** Opens a session (default: edge/zkclient's connect; tests pass a fake). */
  connect?: typeof connect;
}

export class Worker {
  private session: Session | undefined;

  constructor(readonly o: WorkerOptions) {}

  get client(): number {
    return this.o.client;
  }

  /** True once the run has stopped. */
  stopped(): boolean {
    return this.o.stopped();
  }

  /** The history's clock. */
  now(): number {
    return this.o.recorder.now();
  }

  /** The session, opening one (and retrying until the run stops) when there is none. */
  async connected(): Promise<Session | undefined> {
    while (!this.o.stopped()) {
      if (this.session) return this.session;
      const openSession = this.o.connect ?? connect;
      const s = await openSession(this.o.address, 5000, { retries: 0, sessionTimeoutMs: this.o.sessionTimeoutMs }).catch(() => undefined);
      if (!s) { await sleep(200); continue; }
      if (this.o.stopped()) { s.close(); return undefined; }
      this.session = s;
      this.record(s, 'open', s.sessionTimeoutMs());
      s.client.once('expired', () => {
        this.record(s, 'expired');
        if (this.session === s) this.session = undefined;
        s.abandon();
      });
      return s;
    }
    return undefined;
  }

  private record(s: Session, event: 'open' | 'expired' | 'abandoned' | 'closed', timeoutMs?: number): void {
    this.o.recorder.session({ client: this.o.client, session: s.sessionId(), event, server: this.o.pinned ?? this.o.serverOf(s.serverPort()), timeoutMs });
  }

  /** Gives the session up (the next operation opens a new one). */
  drop(): void {
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    this.record(s, 'abandoned');
    s.abandon();
  }

  /**
   * Performs one operation through the session and records it; undefined when the run stopped
   * before it could start. `timeoutMs` defaults to the session timeout.
   */
  async perform(inv: Omit<InvokeEvent, 'type' | 'op' | 't' | 'client' | 'session' | 'server'>, run: (s: Session) => Promise<Completion>, timeoutMs?: number): Promise<Result | undefined> {
    const s = await this.connected();
    if (!s || this.o.stopped()) return undefined;
    const rec = this.o.recorder;
    const op = rec.invoke({ client: this.o.client, session: s.sessionId(), server: this.o.pinned ?? this.o.serverOf(s.serverPort()), ...inv });
    const limit = timeoutMs ?? s.sessionTimeoutMs();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      run(s).then((c) => ({ c }), (err: unknown) => ({ err })),
      new Promise<{ timeout: true }>((resolve) => { timer = setTimeout(() => resolve({ timeout: true }), limit); }),
    ]);
    clearTimeout(timer);
    if ('timeout' in outcome) {
      rec.complete(op, 'info', { error: `no answer within ${limit} ms` });
      if (this.session === s) this.drop();
      return { outcome: 'info', error: 'timeout' };
    }
    if ('c' in outcome) {
      const { type, ...fields } = outcome.c;
      rec.complete(op, type, fields);
      return { outcome: type, ...fields };
    }
    const err = outcome.err instanceof Attempt ? outcome.err.reason : outcome.err;
    const value = outcome.err instanceof Attempt ? outcome.err.value : undefined;
    const name = zkErrorName(err) ?? (err as Error)?.message ?? String(err);
    const type: Outcome = DEFINITE.has(name) ? 'fail' : 'info';
    rec.complete(op, type, { error: name, value });
    if (name === 'SESSION_EXPIRED' && this.session === s) this.drop();
    return { outcome: type, error: name, value };
  }

  /** Closes the session (at the end of the run); a server that does not answer cannot hold it open. */
  close(): void {
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    this.record(s, 'closed');
    s.close();
    setTimeout(() => s.abandon(), 1000).unref();
  }
}
