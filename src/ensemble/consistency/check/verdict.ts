/**
 * What a check concludes (pure): a verdict per property, and for a violation the smallest
 * window of operations that shows it, the fault steps around it and a sentence saying why.
 */
import type { FaultEvent, Op, ReadMode, Workload } from './history.js';

export type Status = 'ok' | 'violated' | 'unknown';

export interface Violation {
  property: string;
  /** A short name for the shape of the anomaly: `lost-write`, `stale-read`, `stale-cas`, … */
  kind: string;
  key?: string;
  explanation: string;
  /** The operations that show it, in call order. */
  ops: Op[];
  /** Fault steps from an interval before the window to just after it. */
  faults: FaultEvent[];
}

export interface PropertyVerdict {
  property: string;
  /** What holding it means, in words. */
  description: string;
  status: Status;
  /** Why `unknown`, or counts for `ok`. */
  detail?: string;
  violations: Violation[];
}

export interface CheckReport {
  workload: Workload;
  reads: ReadMode;
  seed: number;
  valid: boolean | 'unknown';
  operations: { total: number; ok: number; fail: number; info: number; byKind: Record<string, { ok: number; fail: number; info: number }> };
  /** Fault steps of the schedule that were applied (the restore at the end not counted). */
  faults: number;
  properties: PropertyVerdict[];
  /** How long the check took, ms. */
  checkMs: number;
}

/** The fault steps from `before` ms ahead of the window to 1 s after it. */
export function faultsAround(faults: FaultEvent[], ops: Op[], before: number): FaultEvent[] {
  if (!ops.length) return [];
  const from = Math.min(...ops.map((o) => o.call)) - before;
  const to = Math.max(...ops.map((o) => o.end)) + 1000;
  return faults.filter((f) => f.t >= from && f.t <= to);
}

export function verdict(property: string, description: string, violations: Violation[], unknown?: string, detail?: string): PropertyVerdict {
  const status: Status = violations.length ? 'violated' : unknown ? 'unknown' : 'ok';
  const v: PropertyVerdict = { property, description, status, violations };
  const d = unknown ?? detail;
  if (d) v.detail = d;
  return v;
}

/** Operations in call order, each once. */
export function windowOf(...ops: (Op | undefined)[]): Op[] {
  return [...new Set(ops.filter((o): o is Op => !!o))].sort((a, b) => a.call - b.call || a.id - b.id);
}

/** `#12` — how an operation is named in explanations. */
export const opName = (o: Op) => `#${o.id}`;

/** "w17" (version 3) — a value as explanations quote it. */
export function quoted(value: string | undefined, version?: number): string {
  return `${JSON.stringify(value ?? null)}${version === undefined ? '' : ` (version ${version})`}`;
}
