/**
 * One ZooKeeper znode as a versioned register (pure): its data and its Stat.version, which
 * every successful setData raises by one. A CAS is setData with an expected version. The model
 * takes each operation with the result it was recorded with, and says whether that result can
 * happen in a given state — the sequential specification the linearizability search needs.
 *
 * A state may be partly unknown (`null`): the search over a window of a history starts without
 * knowing what came before, and the first operation that observes the register pins it down.
 */
import type { Model } from './wgl.js';
import type { Op } from './history.js';

export interface RegisterState {
  value: string | null;
  version: number | null;
}

/**
 * Where a write of unknown outcome that nobody read could have taken effect: only as a version
 * no other operation accounts for (`gaps`), or, when `above` is set, as any version above it.
 */
export interface Slots {
  gaps: ReadonlySet<number>;
  above?: number;
}

export type RegisterOp =
  /** A read that returned `value` (at `version`, when known). */
  | { f: 'read'; value: string; version?: number }
  /** A write; `version` is what an acknowledged one reported, absent when its outcome is unknown. */
  | { f: 'write'; value: string; version?: number; slots?: Slots }
  /** setData(value, expect): ok (reported `version`), failed with BAD_VERSION, or unknown. */
  | { f: 'cas'; value: string; expect: number; outcome: 'ok' | 'fail' | 'info'; version?: number; slots?: Slots };

const fits = (slots: Slots | undefined, version: number | null) =>
  !slots || version === null || slots.gaps.has(version) || (slots.above !== undefined && version > slots.above);

function step(s: RegisterState, op: RegisterOp): RegisterState | undefined {
  switch (op.f) {
    case 'read': {
      if (s.value !== null && s.value !== op.value) return undefined;
      if (op.version !== undefined && s.version !== null && s.version !== op.version) return undefined;
      return s.value !== null && (s.version !== null || op.version === undefined) ? s : { value: op.value, version: op.version ?? s.version };
    }
    case 'write': {
      const next = s.version === null ? null : s.version + 1;
      if (op.version !== undefined && next !== null && next !== op.version) return undefined;
      if (!fits(op.slots, next)) return undefined;
      return { value: op.value, version: op.version ?? next };
    }
    case 'cas': {
      if (op.outcome === 'fail') return s.version === op.expect ? undefined : s;
      // ok, or indeterminate and taking effect now (not taking effect is the search leaving it out).
      if (s.version !== null && s.version !== op.expect) return undefined;
      if (op.version !== undefined && op.version !== op.expect + 1) return undefined;
      if (!fits(op.slots, op.expect + 1)) return undefined;
      return { value: op.value, version: op.expect + 1 };
    }
  }
}

export function registerModel(init: RegisterState): Model<RegisterState, RegisterOp> {
  return { init, step, key: (s) => `${s.value ?? '\u0001'}\u0000${s.version ?? '?'}` };
}

/** The register operation an assembled history operation stands for; undefined if it says nothing (a failed read). */
export function toRegisterOp(op: Op): RegisterOp | undefined {
  if (op.f === 'read') {
    if (op.outcome !== 'ok' || typeof op.result.value !== 'string') return undefined;
    return withVersion({ f: 'read', value: op.result.value }, op.result.version);
  }
  if (op.f === 'write') {
    if (op.outcome === 'fail' || op.value === undefined) return undefined;
    return withVersion({ f: 'write', value: op.value }, op.outcome === 'ok' ? op.result.version : undefined);
  }
  if (op.f === 'cas' && op.value !== undefined && op.expect !== undefined) {
    return withVersion({ f: 'cas', value: op.value, expect: op.expect, outcome: op.outcome }, op.outcome === 'ok' ? op.result.version : undefined);
  }
  return undefined;
}

function withVersion<T extends RegisterOp>(op: T, version: number | undefined): T {
  if (version !== undefined) op.version = version;
  return op;
}
