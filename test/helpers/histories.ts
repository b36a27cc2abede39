/**
 * Hand-made histories for the checker's tests: a few lines per anomaly, each operation with
 * its interval, client, session and what it returned.
 */
import { HISTORY_FORMAT, type CompletionEvent, type History, type HistoryEvent, type InvokeEvent, type Workload } from '../../src/ensemble/consistency/check/history.js';

type Outcome = 'ok' | 'fail' | 'info';
interface Done { outcome?: Outcome; value?: string | string[]; version?: number; mzxid?: string; error?: string; heard?: number }

export class HistoryBuilder {
  private events: HistoryEvent[] = [];
  private next = 1;
  constructor(private readonly workload: Workload, private readonly keys: string[] = ['/k']) {}

  /** An operation by `client` (session `s<client>`) over [call, ret]; returns its id. */
  op(client: number, f: InvokeEvent['f'], call: number, ret: number, args: Partial<Pick<InvokeEvent, 'key' | 'value' | 'expect' | 'sync' | 'session' | 'server'>> = {}, done: Done = {}): number {
    const id = this.next++;
    const { session = `0x${client}`, server = client, ...rest } = args;
    this.events.push({ type: 'invoke', op: id, t: call, client, session, server, f, ...rest });
    const c: CompletionEvent = { type: done.outcome ?? 'ok', op: id, t: ret };
    for (const k of ['value', 'version', 'mzxid', 'error', 'heard'] as const) if (done[k] !== undefined) (c as unknown as Record<string, unknown>)[k] = done[k];
    this.events.push(c);
    return id;
  }

  write(client: number, value: string, call: number, ret: number, done: Done = {}, key = this.keys[0]!) {
    return this.op(client, 'write', call, ret, { key, value }, done);
  }

  cas(client: number, expect: number, value: string, call: number, ret: number, done: Done = {}, key = this.keys[0]!) {
    return this.op(client, 'cas', call, ret, { key, value, expect }, done);
  }

  read(client: number, call: number, ret: number, value: string, version: number, extra: { sync?: boolean; mzxid?: string; session?: string } = {}, key = this.keys[0]!) {
    const { mzxid, ...args } = extra;
    return this.op(client, 'read', call, ret, { key, ...args }, { value, version, ...(mzxid ? { mzxid } : {}) });
  }

  raw(e: HistoryEvent) { this.events.push(e); }

  build(): History {
    return {
      meta: {
        type: 'meta', format: HISTORY_FORMAT, workload: this.workload, seed: 7, ensemble: 'hand-made', servers: [1, 2, 3],
        durationMs: 10_000, intervalMs: 1000, startedAt: new Date(0).toISOString(), root: '/t',
        clients: [1, 2, 3, 4].map((client) => ({ client, server: client, role: 'worker' as const })),
        ...(this.workload === 'register' ? { initial: Object.fromEntries(this.keys.map((k) => [k, { value: 'init', version: 0 }])) } : {}),
      },
      events: [...this.events].sort((a, b) => a.t - b.t),
    };
  }
}
