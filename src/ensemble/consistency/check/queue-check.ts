/**
 * The queue workload's check (pure). Producers enqueue unique elements (persistent-sequential
 * znodes); consumers dequeue by deleting the lowest child they can; after the faults are
 * healed, a final drain reads what is left. An element enqueued with an acknowledgement must be
 * delivered or still queued (unless an indeterminate dequeue may have taken it); no element is
 * delivered twice; nothing is delivered or left that was never enqueued, and nothing is
 * delivered before its enqueue began.
 */
import type { FaultEvent, History, Op } from './history.js';
import { faultsAround, opName, quoted, verdict, windowOf, type PropertyVerdict, type Violation } from './verdict.js';

export function checkQueue(h: History, ops: Op[], faults: FaultEvent[]): PropertyVerdict[] {
  const enqueues = new Map<string, Op>();
  for (const o of ops) if (o.f === 'enqueue' && o.value !== undefined) enqueues.set(o.value, o);
  const delivered = new Map<string, Op[]>();
  const maybeTaken = new Map<string, Op>();
  for (const o of ops) {
    if (o.f !== 'dequeue' || typeof o.result.value !== 'string') continue;
    if (o.outcome === 'ok') {
      const list = delivered.get(o.result.value);
      if (list) list.push(o); else delivered.set(o.result.value, [o]);
    }
    else if (o.outcome === 'info') maybeTaken.set(o.result.value, o);
  }
  const drains = ops.filter((o) => o.f === 'drain');
  const drain = drains.find((o) => o.outcome === 'ok');
  const left = new Set(Array.isArray(drain?.result.value) ? drain.result.value : []);
  const around = (property: string, kind: string, explanation: string, ...involved: (Op | undefined)[]): Violation => {
    const w = windowOf(...involved);
    return { property, kind, explanation, ops: w, faults: faultsAround(faults, w, h.meta.intervalMs) };
  };

  const lost: Violation[] = [];
  if (drain) {
    for (const [value, e] of enqueues) {
      if (e.outcome !== 'ok' || delivered.has(value) || left.has(value)) continue;
      const maybe = maybeTaken.get(value);
      if (maybe) continue;
      lost.push(around('no-loss', 'lost-element', `element ${quoted(value)}, enqueued with an acknowledgement by ${opName(e)}, was lost: no dequeue delivered it and the final drain ${opName(drain)} did not find it`, e, drain));
    }
    for (const [value, ds] of delivered) {
      if (left.has(value)) lost.push(around('no-loss', 'undeleted-element', `element ${quoted(value)} was delivered by ${opName(ds[0]!)} (its delete acknowledged), yet the final drain ${opName(drain)} still found it`, ds[0], drain));
    }
  }
  const twice: Violation[] = [];
  for (const [value, ds] of delivered) {
    if (ds.length > 1) twice.push(around('no-duplicates', 'delivered-twice', `element ${quoted(value)} was delivered ${ds.length} times: ${ds.map((d) => `${opName(d)} (client ${d.client})`).join(', ')}`, enqueues.get(value), ...ds));
  }
  const phantoms: Violation[] = [];
  for (const [value, ds] of delivered) {
    const e = enqueues.get(value);
    if (!e) phantoms.push(around('no-phantoms', 'never-enqueued', `${opName(ds[0]!)} delivered ${quoted(value)}, which no operation enqueued`, ...ds));
    else if (e.outcome === 'fail') phantoms.push(around('no-phantoms', 'failed-enqueue', `${opName(ds[0]!)} delivered ${quoted(value)}, whose enqueue ${opName(e)} failed`, e, ...ds));
    else if (ds[0]!.end < e.call) phantoms.push(around('no-phantoms', 'from-the-future', `${opName(ds[0]!)} delivered ${quoted(value)} before ${opName(e)} began to enqueue it`, e, ...ds));
  }
  for (const value of left) if (!enqueues.has(value)) phantoms.push(around('no-phantoms', 'never-enqueued', `the final drain ${opName(drain!)} found ${quoted(value)}, which no operation enqueued`, drain));

  const acked = [...enqueues.values()].filter((e) => e.outcome === 'ok').length;
  const noDrain = drain ? undefined : `the final drain did not complete (${drains[0]?.result.error ?? 'not run'}), so what is left is not known`;
  return [
    verdict('no-loss', 'every acknowledged element was delivered or is still queued', lost, noDrain, `${acked} acknowledged enqueues, ${delivered.size} delivered, ${left.size} left at the end, ${maybeTaken.size} taken by indeterminate dequeues`),
    verdict('no-duplicates', 'no element was delivered twice', twice),
    verdict('no-phantoms', 'nothing was delivered or left that was not enqueued first', phantoms),
  ];
}
