/**
 * The register workload's check (pure): per key — keys are independent registers, so the
 * history splits into one small search per key (P-compositionality) — the direct rules of
 * register-rules.ts explain the common anomalies in a sentence, and the Wing–Gong search
 * decides linearizability of writes, CAS and the counted reads. A search that finds none gets
 * the smallest window of operations that still has none, to show the user.
 */
import type { FaultEvent, History, Op, ReadMode } from './history.js';
import { realTimeFindings, readValueFindings, sessionFindings, type Finding, type KeyHistory } from './register-rules.js';
import { registerModel, toRegisterOp, type RegisterOp, type RegisterState, type Slots } from './register-model.js';
import { searchLinearization, type SearchLimits, type SearchOp } from './wgl.js';
import { faultsAround, verdict, windowOf, type PropertyVerdict, type Violation } from './verdict.js';

export interface RegisterCheckOptions {
  reads: ReadMode;
  /** performance.now() by which the whole check gives up with `unknown`. */
  deadline: number;
  maxConfigs?: number;
}

/** The register operations of each key, in call order. */
export function keyHistories(h: History, ops: Op[]): KeyHistory[] {
  const init = h.meta.initial ?? {};
  const byKey = new Map<string, Op[]>(Object.keys(init).map((k) => [k, []]));
  for (const o of ops) {
    if ((o.f !== 'read' && o.f !== 'write' && o.f !== 'cas') || !o.key) continue;
    if (!byKey.has(o.key)) byKey.set(o.key, []);
    byKey.get(o.key)!.push(o);
  }
  return [...byKey].map(([key, list]) => ({ key, initial: init[key] ?? { value: '', version: 0 }, ops: list }));
}

/** An operation of the history and what the search makes of it. */
interface Judged { o: Op; s: SearchOp<RegisterOp> }

/**
 * The key's operations the search judges — writes, CAS and the reads held to real time — with
 * what the reads tell about indeterminate writes. Values are unique, so a write whose value any
 * read returned took effect, as the version that read reported, before that read returned: it is
 * pinned there. One nobody read can only have taken effect as a version no other operation
 * accounts for (a gap), or above the highest one if a failed CAS there needs it; with no such
 * place it is left out. Without this each of them would be tried at every step of the search,
 * and in every combination.
 */
function judged(k: KeyHistory, counted: (o: Op) => boolean, bad: Set<number>): Judged[] {
  const reads = k.ops.filter((o) => o.f === 'read' && o.outcome === 'ok' && !bad.has(o.id) && typeof o.result.value === 'string');
  const writers = new Map<string, number>();
  for (const o of k.ops) if (o.value !== undefined && (o.f === 'write' || o.f === 'cas')) writers.set(o.value, (writers.get(o.value) ?? 0) + 1);
  // Each value read: the version it was read at, and the earliest return of a read that saw it.
  const seen = new Map<string, { version?: number; by: number }>();
  for (const r of reads) {
    const v = r.result.value as string;
    const entry = seen.get(v) ?? { by: Infinity };
    entry.by = Math.min(entry.by, r.ret);
    entry.version ??= r.result.version;
    seen.set(v, entry);
  }
  // The gap reasoning needs every acknowledged write and every read to report its version.
  const versioned = reads.every((r) => r.result.version !== undefined)
    && k.ops.every((o) => (o.f !== 'write' && o.f !== 'cas') || o.outcome !== 'ok' || o.result.version !== undefined);
  const claimed = new Set<number>();
  for (const o of k.ops) if ((o.f === 'write' || o.f === 'cas') && o.outcome === 'ok' && o.result.version !== undefined) claimed.add(o.result.version);
  for (const x of seen.values()) if (x.version !== undefined) claimed.add(x.version);
  const top = Math.max(k.initial.version, ...claimed);
  const gaps = new Set<number>();
  for (let v = k.initial.version + 1; v <= top; v++) if (!claimed.has(v)) gaps.add(v);
  const failedAtTop = k.ops.some((o) => o.f === 'cas' && o.outcome === 'fail' && o.expect === top);
  const slots: Slots = failedAtTop ? { gaps, above: top } : { gaps };
  const out: Judged[] = [];
  for (const o of k.ops) {
    if (o.f === 'read' && (!counted(o) || bad.has(o.id))) continue;
    const op = toRegisterOp(o);
    if (!op) continue;
    if (o.outcome !== 'info') { out.push({ o, s: { call: o.call, ret: o.ret, op } }); continue; }
    const read = writers.get(o.value!) === 1 ? seen.get(o.value!) : undefined;
    if (read && read.by >= o.call) {
      if (read.version !== undefined) op.version = read.version;
      out.push({ o, s: { call: o.call, ret: read.by, op } });
    } else if (!versioned) {
      out.push({ o, s: { call: o.call, ret: Infinity, op } });
    } else if (gaps.size || failedAtTop) {
      if (op.f !== 'read') op.slots = slots;
      out.push({ o, s: { call: o.call, ret: Infinity, op } });
    }
  }
  return out;
}

/** Search input for `ops`; `optional` ones may be left out (their return becomes infinite). */
const toSearch = (ops: Judged[], optional: (o: Judged) => boolean = () => false): SearchOp<RegisterOp>[] =>
  ops.map((j) => (optional(j) ? { ...j.s, ret: Infinity } : j.s));

/**
 * The smallest window [t1, t2] whose operations have no linearization from any starting state.
 * Operations that straddle its edges may be left out (they could have taken effect outside it),
 * so a window that fails is proof on its own. t2 is the return of the earliest failing prefix;
 * t1 moves back from it until the window fails.
 */
function smallestWindow(ops: Judged[], initial: RegisterState, limits: SearchLimits): Op[] {
  const exact = { ...limits, exact: true };
  const failsBy = (t: number) => searchLinearization(registerModel(initial), toSearch(ops.filter((j) => j.s.call <= t), (j) => j.s.ret > t), exact).linearizable === false;
  const returns = [...new Set(ops.filter((j) => Number.isFinite(j.s.ret)).map((j) => j.s.ret))].sort((a, b) => a - b);
  let lo = 0;
  let hi = returns.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (failsBy(returns[mid]!)) hi = mid; else lo = mid + 1; }
  const t2 = returns[lo]!;
  const calls = [...new Set(ops.filter((j) => j.s.call <= t2).map((j) => j.s.call))].sort((a, b) => b - a);
  for (const t1 of calls.slice(0, 400)) {
    const inside = ops.filter((j) => j.s.call <= t2 && j.s.ret >= t1);
    if (inside.length > 300) break;
    const r = searchLinearization(registerModel({ value: null, version: null }), toSearch(inside, (j) => j.s.call < t1 || j.s.ret > t2), exact);
    if (r.linearizable === false) return inside.map((j) => j.o);
  }
  // No window short of the start shows it: the prefix does, from the key's initial state.
  return ops.filter((j) => j.s.call <= t2).slice(-40).map((j) => j.o);
}

export function checkRegister(h: History, ops: Op[], faults: FaultEvent[], opts: RegisterCheckOptions): PropertyVerdict[] {
  const keys = keyHistories(h, ops);
  const counted = (o: Op) => opts.reads === 'linearizable' || !!o.sync;
  const around = (f: Finding, property: string): Violation => ({ property, ...f, faults: faultsAround(faults, f.ops, h.meta.intervalMs) });
  const valueViolations: Violation[] = [];
  const linViolations: Violation[] = [];
  const bad = new Set<number>();
  let unknown: string | undefined;
  let searchedOps = 0;
  for (const k of keys) {
    const values = readValueFindings(k);
    for (const b of values.bad) bad.add(b);
    valueViolations.push(...values.findings.map((f) => around(f, 'read-values')));
    const direct = realTimeFindings(k, counted, bad);
    linViolations.push(...direct.map((f) => around(f, 'linearizable')));
    const ops = judged(k, counted, bad);
    searchedOps += ops.length;
    if (direct.length) continue;
    const limits: SearchLimits = { deadline: opts.deadline, maxConfigs: opts.maxConfigs };
    let r = searchLinearization(registerModel(k.initial), toSearch(ops), limits);
    // The fast search compares configurations by hash; confirm a "no" exactly before saying it.
    if (r.linearizable === false) r = searchLinearization(registerModel(k.initial), toSearch(ops), { ...limits, exact: true });
    if (r.linearizable === 'unknown') { unknown = `${k.key}: ${r.reason}`; continue; }
    if (r.linearizable) continue;
    const window = windowOf(...smallestWindow(ops, k.initial, limits));
    const info = window.filter((o) => o.outcome === 'info').length;
    linViolations.push(around({
      kind: 'not-linearizable', key: k.key, ops: window,
      explanation: `no order of these ${window.length} operations on ${k.key} explains what they returned${info ? ` (letting each of the ${info} indeterminate ones take effect or not)` : ''}`,
    }, 'linearizable'));
  }
  const sessions = sessionFindings(keys, bad).map((f) => around(f, 'session-order'));
  const readsWord = opts.reads === 'linearizable' ? 'all reads' : 'sync reads';
  return [
    verdict('linearizable', `writes, CAS and ${readsWord} on each key are linearizable (Wing–Gong search, per key)`, linViolations, unknown, `${searchedOps} operations on ${keys.length} keys`),
    verdict('read-values', 'every read returned a value that was written, not before it was written, with its version', valueViolations),
    verdict('session-order', 'no session\'s reads go back in time (ZooKeeper\'s rule for plain reads)', sessions),
  ];
}
