/**
 * Register histories made by a simulated ZooKeeper (pure, seeded): clients invoke reads, sync
 * reads, writes and CAS on a few keys; each operation takes effect at one instant inside its
 * interval, so the history is linearizable by construction; some outcomes are indeterminate
 * (and half of those writes took effect anyway). With `lagMs`, plain reads are served by a
 * replica that lags the leader by up to that much but never shows a session an older state
 * than it has seen — ZooKeeper's documented behaviour, which is sequentially consistent but not
 * linearizable. For the checker's self-tests and `npm run bench`.
 */
import { seededRandom } from '../../faults/chaos-plan.js';
import { HISTORY_FORMAT, type CompletionEvent, type History, type HistoryEvent, type InvokeEvent } from './history.js';

export interface SyntheticOptions {
  ops: number;
  seed?: number;
  clients?: number;
  keys?: number;
  /** Share of operations whose outcome is indeterminate (default 0.01). */
  infoRate?: number;
  /** How far behind the leader a plain read may be, ms (default 0). */
  lagMs?: number;
}

interface Version { at: number; value: string; version: number; zxid: number }

export function syntheticRegisterHistory(o: SyntheticOptions): History {
  const random = seededRandom(o.seed ?? 1);
  const clients = o.clients ?? 6;
  const keys = Array.from({ length: o.keys ?? 3 }, (_, i) => `/r${i}`);
  const infoRate = o.infoRate ?? 0.01;
  const lag = o.lagMs ?? 0;
  const state = new Map(keys.map((k) => [k, [{ at: -1, value: 'init', version: 0, zxid: 1 }] as Version[]]));
  let zxid = 1;
  let written = 0;
  const events: HistoryEvent[] = [];
  // Pending instants, in time order: an operation's call, its effect and its return.
  const agenda: { t: number; run: () => void }[] = [];
  const at = (t: number, run: () => void) => {
    let i = agenda.length;
    while (i > 0 && agenda[i - 1]!.t > t) i--;
    agenda.splice(i, 0, { t, run });
  };
  const seen = Array.from({ length: clients }, () => ({ time: -1, versions: new Map<string, number>() }));
  let nextOp = 0;
  const stateAt = (key: string, t: number): Version => {
    const list = state.get(key)!;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid]!.at <= t) lo = mid + 1; else hi = mid; }
    return list[lo - 1]!;
  };
  const invoke = (client: number, t: number) => {
    if (nextOp >= o.ops) return;
    const id = nextOp++;
    const key = keys[Math.floor(random() * keys.length)]!;
    const roll = random();
    const f = roll < 0.35 ? 'read' : roll < 0.5 ? 'sync' : roll < 0.75 ? 'write' : 'cas';
    const info = random() < infoRate;
    const ret = t + 0.5 + random() * 8;
    const effect = t + random() * (ret - t);
    const inv: InvokeEvent = { type: 'invoke', op: id, t, client, session: `0x${(client + 1).toString(16)}`, server: client % 3 + 1, f: f === 'sync' ? 'read' : f, key };
    if (f === 'sync') inv.sync = true;
    const done: CompletionEvent = { type: 'ok', op: id, t: ret };
    if (f === 'write' || f === 'cas') inv.value = `w${++written}`;
    if (f === 'cas') inv.expect = seen[client]!.versions.get(key) ?? 0;
    events.push(inv);
    const takesEffect = !info || ((f === 'write' || f === 'cas') && random() < 0.5);
    if (takesEffect) {
      at(effect, () => {
        const now = stateAt(key, Infinity);
        const s = seen[client]!;
        if (f === 'read' || f === 'sync') {
          if (f === 'sync') zxid++;
          const v = f === 'read' ? stateAt(key, Math.max(effect - random() * lag, s.time)) : now;
          Object.assign(done, { value: v.value, version: v.version, mzxid: `0x${v.zxid.toString(16)}` });
          s.time = Math.max(s.time, v.at);
        } else if (f === 'cas' && now.version !== inv.expect) {
          Object.assign(done, { type: 'fail', error: 'BAD_VERSION' });
          return;
        } else {
          const v = { at: effect, value: inv.value!, version: now.version + 1, zxid: ++zxid };
          state.get(key)!.push(v);
          Object.assign(done, { version: v.version, mzxid: `0x${v.zxid.toString(16)}` });
          if (!info) s.time = effect;
        }
        // What the client learns; an indeterminate outcome teaches it nothing.
        if (!info && done.version !== undefined) s.versions.set(key, Math.max(s.versions.get(key) ?? 0, done.version));
      });
    }
    at(ret, () => {
      if (info) { done.type = 'info'; done.error = 'CONNECTION_LOSS'; delete done.value; delete done.version; delete done.mzxid; }
      events.push(done);
      const next = ret + random() * 4;
      at(next, () => invoke(client, next));
    });
  };
  for (let c = 0; c < clients; c++) { const t = random() * 2; at(t, () => invoke(c, t)); }
  while (agenda.length) agenda.shift()!.run();
  const initial = Object.fromEntries(keys.map((k) => [k, { value: 'init', version: 0 }]));
  return {
    meta: {
      type: 'meta', format: HISTORY_FORMAT, workload: 'register', seed: o.seed ?? 1, ensemble: 'synthetic', servers: [1, 2, 3],
      durationMs: 0, intervalMs: 5000, startedAt: new Date(0).toISOString(), root: '/synthetic',
      clients: Array.from({ length: clients }, (_, c) => ({ client: c, server: c % 3 + 1, role: 'worker' as const })), initial,
    },
    events,
  };
}
