/**
 * How a consistency check is printed: a summary line, a verdict per property, and for each
 * violation its explanation, the window of operations that shows it and the fault steps
 * around it. Pure text; `chaos --check` and `check-history` print it.
 */
import { paint } from './colour.js';
import { describeStep } from '../ensemble/faults/chaos-run.js';
import type { FaultEvent, Op } from '../ensemble/consistency/check/history.js';
import type { CheckReport, Violation } from '../ensemble/consistency/check/verdict.js';

const secs = (t: number) => (Number.isFinite(t) ? `+${(t / 1000).toFixed(3)}s` : '…');
const SHOWN = 3;

function result(o: Op): string {
  const r = o.result;
  const parts: string[] = [o.outcome];
  if (o.outcome !== 'ok' && r.error) parts.push(r.error);
  if (r.value !== undefined && o.f !== 'write' && o.f !== 'cas' && o.f !== 'enqueue') parts.push(Array.isArray(r.value) ? `[${r.value.length} left]` : JSON.stringify(r.value));
  if (r.version !== undefined) parts.push(`v${r.version}`);
  if (r.mzxid) parts.push(`zxid ${r.mzxid}`);
  return parts.join(' ');
}

/** One operation as a line of a window. */
export function formatOp(o: Op): string {
  const what = [o.sync ? 'sync read' : o.f, o.key ?? '', o.f === 'cas' ? `expect v${o.expect}` : '', o.value !== undefined ? JSON.stringify(o.value) : ''].filter(Boolean).join(' ');
  return `#${o.id}  ${secs(o.call)} → ${secs(o.outcome === 'info' ? o.end : o.ret)}  client ${o.client}  session ${o.session}  server ${o.server ?? '?'}  ${what}  → ${result(o)}`;
}

function formatFaults(faults: FaultEvent[]): string[] {
  return faults.map((f) => `${secs(f.t)}  ${describeStep(f.action)} ${f.phase === 'begin' ? 'began' : f.error ? `failed: ${f.error}` : 'done'}`);
}

function formatViolation(v: Violation): string[] {
  const lines = [`    ${v.kind}${v.key ? ` on ${v.key}` : ''}: ${v.explanation}`];
  lines.push(`      window (${v.ops.length} operation${v.ops.length === 1 ? '' : 's'}):`, ...v.ops.map((o) => `        ${formatOp(o)}`));
  lines.push(v.faults.length ? '      fault steps around it:' : '      no fault step around it', ...formatFaults(v.faults).map((l) => `        ${l}`));
  return lines;
}

export function formatReport(r: CheckReport, replay: string): string {
  const p = paint();
  const kinds = Object.entries(r.operations.byKind).map(([k, c]) => `${c.ok + c.fail + c.info} ${k}`).join(', ');
  const lines = [
    `${r.workload}: ${r.operations.total} operations (${kinds}): ${r.operations.ok} ok, ${r.operations.fail} failed, ${r.operations.info} indeterminate; ${r.faults} fault steps${r.workload !== 'register' ? '' : `; plain reads judged ${r.reads === 'sequential' ? 'by ZooKeeper\'s rule (sequential)' : 'as linearizable'}`}`,
  ];
  for (const prop of r.properties) {
    const mark = prop.status === 'ok' ? p.green('✓') : prop.status === 'violated' ? p.red('✗') : p.yellow('?');
    const tail = prop.status === 'violated' ? ` — ${prop.violations.length} violation${prop.violations.length === 1 ? '' : 's'}` : prop.detail ? ` — ${prop.status === 'unknown' ? 'unknown: ' : ''}${prop.detail}` : '';
    lines.push(`${mark} ${prop.property}: ${prop.description}${tail}`);
    for (const v of prop.violations.slice(0, SHOWN)) lines.push(...formatViolation(v));
    if (prop.violations.length > SHOWN) lines.push(`    … and ${prop.violations.length - SHOWN} more (--json lists them all)`);
  }
  const verdict = r.valid === true ? p.green('verdict: no violation found')
    : r.valid === false ? p.red('verdict: VIOLATION')
      : p.yellow('verdict: unknown (the check could not finish; no violation found so far)');
  lines.push(`${verdict} (checked in ${(r.checkMs / 1000).toFixed(2)} s, seed ${r.seed})`);
  if (r.valid !== true) lines.push(replay);
  return lines.join('\n');
}
