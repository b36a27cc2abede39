/**
 * Is there a linearization? The Wing–Gong search with Lowe's memoisation (as in Knossos'
 * `wgl` and Porcupine), pure and generic over a sequential model.
 *
 * Calls and returns sit in one list in time order. The search walks it: at a call, it tries to
 * linearize that operation now (the model must accept its recorded result in the current state)
 * and starts again from the head; at a return, the operation returning there has not been
 * linearized before it, so the last choice is undone. A (set of linearized operations, state)
 * pair already explored is never explored again, which turns the exponential search into one
 * that is fast on real histories. An operation with an infinite return (indeterminate) has no
 * return entry: it may be linearized at any point after its call, or never.
 *
 * Bounded: past its deadline or its number of remembered configurations it answers `unknown`
 * rather than running on.
 */

export interface Model<S, O> {
  init: S;
  /** The state after `op` in `state`, or undefined when `op`'s recorded result cannot happen there. */
  step(state: S, op: O): S | undefined;
  /** Identifies a state, for memoisation. */
  key(state: S): string;
}

export interface SearchOp<O> {
  call: number;
  /** Infinity: the operation may take effect at any time after its call, or never. */
  ret: number;
  op: O;
}

export interface SearchLimits {
  /** performance.now() after which the search gives up. */
  deadline?: number;
  /** Configurations remembered at most (each a set of operations and a state). */
  maxConfigs?: number;
  /**
   * Compare configurations exactly (a copy of the set per configuration) instead of by a 64-bit
   * hash. Slower and larger; used to confirm a verdict of "not linearizable" and on small windows.
   */
  exact?: boolean;
}

export type SearchResult =
  | { linearizable: true; order: number[] }
  | { linearizable: false; /** The operation whose return the deepest attempt could not get past. */ blocked: number; depth: number }
  | { linearizable: 'unknown'; reason: string };

interface Entry {
  op: number;
  call: boolean;
  time: number;
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/** A small seeded generator for the Zobrist hash: the same history hashes the same way every run. */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return x >>> 0;
  };
}

function buildList<O>(ops: SearchOp<O>[]): Entry {
  const entries: Entry[] = [];
  ops.forEach((o, i) => {
    const call: Entry = { op: i, call: true, time: o.call, match: null, prev: null, next: null };
    entries.push(call);
    if (Number.isFinite(o.ret)) {
      const ret: Entry = { op: i, call: false, time: o.ret, match: null, prev: null, next: null };
      call.match = ret;
      entries.push(ret);
    }
  });
  // Calls before returns at the same instant: operations that touch in time are concurrent.
  entries.sort((a, b) => a.time - b.time || (a.call === b.call ? a.op - b.op : a.call ? -1 : 1));
  const head: Entry = { op: -1, call: false, time: -Infinity, match: null, prev: null, next: null };
  let prev = head;
  for (const e of entries) { prev.next = e; e.prev = prev; prev = e; }
  return head;
}

function lift(e: Entry): void {
  e.prev!.next = e.next;
  if (e.next) e.next.prev = e.prev;
  const m = e.match;
  if (m) { m.prev!.next = m.next; if (m.next) m.next.prev = m.prev; }
}

function unlift(e: Entry): void {
  const m = e.match;
  if (m) { m.prev!.next = m; if (m.next) m.next.prev = m; }
  e.prev!.next = e;
  if (e.next) e.next.prev = e;
}

export function searchLinearization<S, O>(model: Model<S, O>, ops: SearchOp<O>[], limits: SearchLimits = {}): SearchResult {
  const n = ops.length;
  const head = buildList(ops);
  const rand = xorshift(0x9e3779b9);
  const z1 = Uint32Array.from({ length: n }, rand);
  const z2 = Uint32Array.from({ length: n }, rand);
  const bits = new Uint32Array(Math.ceil(n / 32) || 1);
  let h1 = 0;
  let h2 = 0;
  const seen = new Set<string>();
  const exactSeen = new Map<string, Uint32Array[]>();
  const maxConfigs = limits.maxConfigs ?? 4_000_000;
  let configs = 0;
  /** True the first time this (set, state) is met; remembers it. */
  const firstVisit = (stateKey: string): boolean => {
    const k = `${h1},${h2},${stateKey}`;
    if (!limits.exact) {
      if (seen.has(k)) return false;
      seen.add(k);
    } else {
      const bucket = exactSeen.get(k);
      if (bucket?.some((b) => b.every((w, i) => w === bits[i]))) return false;
      if (bucket) bucket.push(bits.slice()); else exactSeen.set(k, [bits.slice()]);
    }
    configs++;
    return true;
  };
  const flip = (i: number) => { bits[i >>> 5]! ^= 1 << (i & 31); h1 ^= z1[i]!; h2 ^= z2[i]!; };

  let remaining = ops.reduce((c, o) => c + (Number.isFinite(o.ret) ? 1 : 0), 0);
  const total = remaining;
  const stack: { entry: Entry; state: S }[] = [];
  let state = model.init;
  let entry = head.next;
  let deepest = -1;
  let blocked = -1;
  let steps = 0;
  while (remaining > 0) {
    if ((++steps & 1023) === 0) {
      if (limits.deadline !== undefined && performance.now() > limits.deadline) return { linearizable: 'unknown', reason: 'the time limit was reached' };
      if (configs > maxConfigs) return { linearizable: 'unknown', reason: `more than ${maxConfigs} configurations to remember` };
    }
    if (!entry) return { linearizable: 'unknown', reason: 'internal: ran off the end of the history' };
    if (entry.call) {
      const next = model.step(state, ops[entry.op]!.op);
      if (next !== undefined) {
        flip(entry.op);
        if (firstVisit(model.key(next))) {
          stack.push({ entry, state });
          state = next;
          if (entry.match) remaining--;
          lift(entry);
          entry = head.next;
          continue;
        }
        flip(entry.op);
      }
      entry = entry.next;
    } else {
      // The operation returning here was not linearized before its return: undo the last choice.
      const depth = total - remaining;
      if (depth > deepest) { deepest = depth; blocked = entry.op; }
      const top = stack.pop();
      if (!top) return { linearizable: false, blocked, depth: deepest };
      entry = top.entry;
      state = top.state;
      flip(entry.op);
      if (entry.match) remaining++;
      unlift(entry);
      entry = entry.next;
    }
  }
  return { linearizable: true, order: stack.map((s) => s.entry.op) };
}
