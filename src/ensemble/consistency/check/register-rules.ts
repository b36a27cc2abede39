/**
 * Direct rules for a versioned register history (pure). ZooKeeper reports each value's
 * Stat.version (and mzxid), which orders a key's writes outright; so most anomalies show as a
 * pair of operations that contradict each other, found in O(n log n) and explained in one
 * sentence. Each rule is sound on its own: it fires only on histories no linearizable (or, for
 * the session rule, sequentially consistent) register could produce. The search in
 * register-check.ts is the complete backstop behind them.
 */
import type { Op } from './history.js';
import { opName, quoted, windowOf } from './verdict.js';

export interface Finding {
  kind: string;
  key?: string;
  explanation: string;
  ops: Op[];
}

export interface KeyHistory {
  key: string;
  initial: { value: string; version: number };
  /** The key's reads, writes and CAS, in call order. */
  ops: Op[];
}

const isWrite = (o: Op) => o.f === 'write' || o.f === 'cas';
function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v); else m.set(k, [v]);
}
const at = (t: number) => `+${(t / 1000).toFixed(3)} s`;

/**
 * Every read returned a value some operation wrote (or the initial one), not before that
 * operation began, and with the version its writer was acknowledged with.
 */
export function readValueFindings(k: KeyHistory): { findings: Finding[]; bad: Set<number> } {
  const findings: Finding[] = [];
  const bad = new Set<number>();
  const writers = new Map<string, Op[]>();
  for (const o of k.ops) if (isWrite(o) && o.value !== undefined) push(writers, o.value, o);
  for (const r of k.ops) {
    if (r.f !== 'read' || r.outcome !== 'ok' || typeof r.result.value !== 'string') continue;
    const v = r.result.value;
    const found = (kind: string, explanation: string, ...others: (Op | undefined)[]) => { findings.push({ kind, key: k.key, explanation, ops: windowOf(r, ...others) }); bad.add(r.id); };
    if (v === k.initial.value) {
      if (r.result.version !== undefined && r.result.version !== k.initial.version && !writers.has(v)) found('version-mismatch', `read ${opName(r)} of ${k.key} returned the initial value ${quoted(v)} as version ${r.result.version}, but it was version ${k.initial.version}`);
      continue;
    }
    const ws = writers.get(v) ?? [];
    const tried = ws.filter((w) => w.outcome !== 'fail');
    if (!ws.length) { found('never-written', `read ${opName(r)} of ${k.key} returned ${quoted(v)}, a value no operation ever wrote`); continue; }
    if (!tried.length) { found('failed-write-read', `read ${opName(r)} of ${k.key} returned ${quoted(v)}, which only ${ws.map(opName).join(', ')} tried to write, and that failed (${ws[0]!.result.error ?? 'failed'})`, ...ws); continue; }
    const before = tried.filter((w) => w.call <= r.end);
    if (!before.length) { found('future-read', `read ${opName(r)} of ${k.key} returned ${quoted(v)} at ${at(r.end)}, before ${opName(tried[0]!)} began to write it (${at(tried[0]!.call)})`, ...tried); continue; }
    const acked = before.filter((w) => w.outcome === 'ok' && w.result.version !== undefined);
    if (r.result.version !== undefined && acked.length === before.length && !acked.some((w) => w.result.version === r.result.version)) {
      found('version-mismatch', `read ${opName(r)} of ${k.key} returned ${quoted(v)} as version ${r.result.version}, but ${opName(acked[0]!)} was acknowledged writing it as version ${acked[0]!.result.version}`, acked[0]);
    }
  }
  return { findings, bad };
}

interface Witness { op: Op; version: number; time: number }

/** The highest version known to be in place before `time`: acknowledged writes and counted reads that had returned by then. */
function versionsBefore(witnesses: Witness[]): (time: number) => Witness | undefined {
  const sorted = [...witnesses].sort((a, b) => a.time - b.time);
  const best: Witness[] = [];
  for (const w of sorted) best.push(best.length && best[best.length - 1]!.version >= w.version ? best[best.length - 1]! : w);
  return (time) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid]!.time < time) lo = mid + 1; else hi = mid; }
    return lo ? best[lo - 1] : undefined;
  };
}

/**
 * Real-time contradictions on one key: two acknowledged writes with one version (one was lost),
 * a CAS reporting a version other than expected + 1, a CAS that succeeded against a version
 * already superseded before it began, and a counted read that began after a newer version was
 * acknowledged (a lost write when nothing else ever saw that version, a stale read otherwise).
 */
export function realTimeFindings(k: KeyHistory, counted: (read: Op) => boolean, bad: Set<number>): Finding[] {
  const findings: Finding[] = [];
  const ackedWrites = k.ops.filter((o) => isWrite(o) && o.outcome === 'ok' && o.result.version !== undefined);
  const reads = k.ops.filter((o) => o.f === 'read' && o.outcome === 'ok' && o.result.version !== undefined && !bad.has(o.id) && counted(o));
  const byVersion = new Map<number, Op>();
  for (const w of ackedWrites) {
    const v = w.result.version!;
    const other = byVersion.get(v);
    if (other) findings.push({ kind: 'lost-write', key: k.key, ops: windowOf(other, w), explanation: `two acknowledged writes of ${k.key} both became version ${v}: ${opName(other)} wrote ${quoted(other.value)} and ${opName(w)} wrote ${quoted(w.value)}, so one of them was lost` });
    else byVersion.set(v, w);
    if (w.f === 'cas' && v !== w.expect! + 1) findings.push({ kind: 'cas-version', key: k.key, ops: [w], explanation: `CAS ${opName(w)} of ${k.key} expected version ${w.expect} and succeeded, but reported version ${v} rather than ${w.expect! + 1}` });
  }
  const witnesses: Witness[] = [...ackedWrites, ...reads].map((o) => ({ op: o, version: o.result.version!, time: o.ret }));
  const newest = versionsBefore(witnesses);
  // The highest version any operation but `w` saw: was `w`'s version ever seen by anyone else?
  const ranked = [...witnesses].sort((a, b) => b.version - a.version);
  const highestBesides = (op: Op) => ranked.find((w) => w.op !== op)?.version ?? -1;
  for (const c of ackedWrites) {
    if (c.f !== 'cas') continue;
    const w = newest(c.call);
    if (w && w.version > c.expect!) {
      findings.push({ kind: 'stale-cas', key: k.key, ops: windowOf(w.op, c), explanation: `CAS ${opName(c)} of ${k.key} expecting version ${c.expect} succeeded, but ${opName(w.op)} had already ${w.op.f === 'read' ? 'read' : 'been acknowledged as'} version ${w.version} before the CAS began: it compared against a stale version` });
    }
  }
  // For "was anything newer seen later?": counted reads by call time, with the highest version from each on.
  const byCall = [...reads].sort((a, b) => a.call - b.call);
  const suffixMax: number[] = [];
  for (let i = byCall.length - 1; i >= 0; i--) suffixMax[i] = Math.max(byCall[i]!.result.version!, suffixMax[i + 1] ?? -1);
  const firstAfter = (t: number) => {
    let lo = 0;
    let hi = byCall.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (byCall[mid]!.call <= t) lo = mid + 1; else hi = mid; }
    return lo;
  };
  for (const r of reads) {
    const w = newest(r.call);
    if (!w || w.version <= r.result.version!) continue;
    const writer = ackedWrites.find((o) => o.value === r.result.value);
    // Lost, not merely read stale: nothing else ever saw the version, and a later read too
    // (the last word on the key) still returned an older one.
    const next = firstAfter(r.end);
    if (w.op.f !== 'read' && highestBesides(w.op) < w.version && next < byCall.length && suffixMax[next]! < w.version) {
      const last = byCall.at(-1)!;
      findings.push({ kind: 'lost-write', key: k.key, ops: windowOf(writer, w.op, r, last), explanation: `acknowledged write ${opName(w.op)} of ${quoted(w.op.value)} to ${k.key} (version ${w.version}) was lost: read ${opName(r)}, which began after it was acknowledged, returned ${quoted(r.result.value as string, r.result.version)}, and no operation saw version ${w.version} later, up to read ${opName(last)} at ${at(last.end)}` });
    } else {
      const what = w.op.f === 'read' ? `read ${opName(w.op)} had returned version ${w.version}` : `${opName(w.op)}'s write of ${quoted(w.op.value)} was acknowledged as version ${w.version}`;
      findings.push({ kind: 'stale-read', key: k.key, ops: windowOf(writer, w.op, r), explanation: `stale read: read ${opName(r)}${r.sync ? ' (sync)' : ''} of ${k.key} through server ${r.server ?? '?'} began after ${what}, yet returned ${quoted(r.result.value as string, r.result.version)}` });
    }
  }
  return findings;
}

/** The first entry of a list sorted by `z` whose `z` exceeds `z`. */
function firstAbove<T extends { z: number }>(list: T[], z: number): T | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid]!.z <= z) lo = mid + 1; else hi = mid; }
  return list[lo];
}

/** "0x100000003" → a number (zxids of a test ensemble stay far below 2^53); undefined if not one. */
export function zxidNumber(hex: string | undefined): number | undefined {
  if (!hex) return undefined;
  const n = Number.parseInt(hex, 16);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * ZooKeeper's promise for every read, plain or not (its "sequential consistency" and "single
 * system image"): within a session, no read returns an older state than the session has seen —
 * by an earlier read of any key, or by its own acknowledged write. With mzxids, "older" spans
 * keys: once the session has seen zxid F, a read of key k must not return a value of k that a
 * write with zxid ≤ F had already replaced.
 */
export function sessionFindings(keys: KeyHistory[], bad: Set<number>): Finding[] {
  const findings: Finding[] = [];
  // Every write whose zxid is known, per key, in zxid order.
  const writeZxids = new Map<string, { z: number; op: Op; value: string }[]>();
  for (const k of keys) {
    const list: { z: number; op: Op; value: string }[] = [];
    for (const o of k.ops) {
      const z = zxidNumber(o.result.mzxid);
      if (z === undefined || o.outcome !== 'ok') continue;
      if (isWrite(o) && o.value !== undefined) list.push({ z, op: o, value: o.value });
      else if (o.f === 'read' && typeof o.result.value === 'string' && !bad.has(o.id)) list.push({ z, op: o, value: o.result.value });
    }
    list.sort((a, b) => a.z - b.z);
    writeZxids.set(k.key, list.filter((x, i) => i === 0 || x.z !== list[i - 1]!.z));
  }
  const initial = new Map(keys.map((k) => [k.key, k.initial.value]));
  const sessions = new Map<string, Op[]>();
  for (const k of keys) for (const o of k.ops) if (o.outcome === 'ok' && !bad.has(o.id)) push(sessions, o.session, o);
  for (const [session, ops] of sessions) {
    ops.sort((a, b) => a.call - b.call);
    let frontier: { z: number; op: Op } | undefined;
    const seen = new Map<string, { version: number; op: Op }>();
    for (const o of ops) {
      const key = o.key!;
      const version = o.result.version;
      // A key's initial value was created before any write of the run: older than all of them.
      const z = zxidNumber(o.result.mzxid) ?? (o.f === 'read' && o.result.value === initial.get(key) ? 0 : undefined);
      if (o.f === 'read' && version !== undefined) {
        const prev = seen.get(key);
        if (prev && version < prev.version) {
          findings.push({ kind: 'back-in-time', key, ops: windowOf(prev.op, o), explanation: `session ${session} went back in time: read ${opName(o)} of ${key} through server ${o.server ?? '?'} returned ${quoted(o.result.value as string, version)} after the session had ${prev.op.f === 'read' ? 'read' : 'written'} version ${prev.version} (${opName(prev.op)})` });
        } else if (frontier && z !== undefined) {
          const newer = firstAbove(writeZxids.get(key)!, z);
          if (newer && newer.z <= frontier.z) {
            findings.push({ kind: 'back-in-time', key, ops: windowOf(frontier.op, newer.op, o), explanation: `session ${session} went back in time: it had seen zxid 0x${frontier.z.toString(16)} (${opName(frontier.op)}), by which ${key} already held ${quoted(newer.value)} (zxid 0x${newer.z.toString(16)}), yet read ${opName(o)} returned the older ${quoted(o.result.value as string, version)}` });
          }
        }
      }
      if (version !== undefined && (seen.get(key)?.version ?? -1) < version) seen.set(key, { version, op: o });
      if (z !== undefined && (!frontier || z > frontier.z)) frontier = { z, op: o };
    }
  }
  return findings;
}
