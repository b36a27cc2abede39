/**
 * A history as NDJSON (pure): one JSON object per line, the `meta` line first. Decoding is
 * strict, like an ensemble file: a history is input to the checker, so every line is checked
 * and every problem is reported as `file:line: problem` before anything is judged.
 */
import { UsageError } from '../../../errors.js';
import { HISTORY_FORMAT, WORKLOADS, type History, type HistoryEvent, type MetaEvent } from './history.js';

export function historyToNdjson(h: History): string {
  return [h.meta, ...h.events].map((e) => JSON.stringify(e)).join('\n') + '\n';
}

const OP_NAMES = new Set(['read', 'write', 'cas', 'enqueue', 'dequeue', 'drain', 'acquire', 'release']);
const ACTIONS = new Set(['kill', 'start', 'pause', 'resume', 'isolate', 'partition', 'heal', 'restore']);
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const int = (v: unknown) => Number.isInteger(v);
const str = (v: unknown) => typeof v === 'string';
const opt = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || ok(v);

/** What is wrong with one decoded line, in words; empty when it is a well-formed event. */
function eventProblems(e: Record<string, unknown>): string[] {
  const p: string[] = [];
  const need = (key: string, ok: (v: unknown) => boolean, what: string) => { if (!ok(e[key])) p.push(`${key}: ${e[key] === undefined ? 'missing' : `${JSON.stringify(e[key])?.slice(0, 40)} is not ${what}`}`); };
  const may = (key: string, ok: (v: unknown) => boolean, what: string) => { if (!opt(e[key], ok)) p.push(`${key}: ${JSON.stringify(e[key])?.slice(0, 40)} is not ${what}`); };
  need('t', num, 'a time in ms');
  switch (e.type) {
    case 'invoke':
      need('op', int, 'an operation number');
      need('client', int, 'a client number');
      need('session', str, 'a session id');
      need('server', (v) => v === null || int(v), 'a server id or null');
      need('f', (v) => str(v) && OP_NAMES.has(v as string), `one of ${[...OP_NAMES].join(', ')}`);
      may('key', str, 'a znode path');
      may('value', str, 'a string');
      may('expect', int, 'a version');
      may('sync', (v) => typeof v === 'boolean', 'true or false');
      break;
    case 'ok': case 'fail': case 'info':
      need('op', int, 'an operation number');
      may('value', (v) => str(v) || (Array.isArray(v) && v.every(str)), 'a string or a list of strings');
      may('version', int, 'a version');
      may('mzxid', (v) => str(v) && /^0x[0-9a-f]{1,16}$/i.test(v as string), 'a zxid like 0x100000002');
      may('heard', num, 'a time in ms');
      may('error', str, 'a string');
      break;
    case 'fault':
      need('phase', (v) => v === 'begin' || v === 'end', '"begin" or "end"');
      need('action', (v) => !!v && typeof v === 'object' && ACTIONS.has((v as { kind?: string }).kind ?? ''), 'a fault action');
      may('error', str, 'a string');
      break;
    case 'session':
      need('client', int, 'a client number');
      need('session', str, 'a session id');
      need('event', (v) => ['open', 'expired', 'abandoned', 'closed'].includes(v as string), 'open, expired, abandoned or closed');
      need('server', (v) => v === null || int(v), 'a server id or null');
      may('timeoutMs', int, 'milliseconds');
      break;
    case 'end':
      need('interrupted', (v) => typeof v === 'boolean', 'true or false');
      break;
    default:
      return [`type: ${JSON.stringify(e.type)} is not invoke, ok, fail, info, fault, session or end`];
  }
  return p;
}

function metaProblems(m: Record<string, unknown>): string[] {
  const p: string[] = [];
  if (m.type !== 'meta') return ['the first line must be the meta line ({"type":"meta",…}) that `zkpseudo chaos --history` writes'];
  if (m.format !== HISTORY_FORMAT) p.push(`format: ${JSON.stringify(m.format)} is not ${JSON.stringify(HISTORY_FORMAT)}`);
  if (!WORKLOADS.includes(m.workload as never)) p.push(`workload: ${JSON.stringify(m.workload)} is not one of ${WORKLOADS.join(', ')}`);
  for (const k of ['seed', 'durationMs', 'intervalMs']) if (!num(m[k])) p.push(`${k}: missing or not a number`);
  if (!Array.isArray(m.clients) || !m.clients.every((c) => c && int(c.client) && (c.server === null || int(c.server)))) p.push('clients: missing or not a list of { client, server }');
  if (!Array.isArray(m.servers) || !m.servers.every(int)) p.push('servers: missing or not a list of server ids');
  if (m.workload === 'register') {
    const init = m.initial as Record<string, { value?: unknown; version?: unknown }> | undefined;
    if (!init || typeof init !== 'object' || !Object.values(init).every((v) => v && str(v.value) && int(v.version))) p.push('initial: a register history needs each key\'s initial { value, version }');
  }
  return p;
}

/** Decodes a history file; throws a UsageError listing every problem (`file:line: …`). */
export function parseHistory(text: string, file: string): History {
  const lines = text.split('\n');
  const problems: string[] = [];
  let meta: MetaEvent | undefined;
  const events: HistoryEvent[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try { value = JSON.parse(line); } catch { problems.push(`${file}:${i + 1}: not a JSON object`); return; }
    if (!value || typeof value !== 'object' || Array.isArray(value)) { problems.push(`${file}:${i + 1}: not a JSON object`); return; }
    const e = value as Record<string, unknown>;
    const found = meta ? eventProblems(e) : metaProblems(e);
    for (const q of found) problems.push(`${file}:${i + 1}: ${q}`);
    if (found.length) return;
    if (!meta) meta = e as unknown as MetaEvent;
    else events.push(e as unknown as HistoryEvent);
  });
  if (!meta && !problems.length) problems.push(`${file}: is empty`);
  if (problems.length) {
    const shown = problems.slice(0, 20).map((q) => `  ${q}`).join('\n');
    throw new UsageError(
      `${file} is not a zkpseudo history: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${shown}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`,
      'Give a file written by `zkpseudo chaos --history FILE` (NDJSON, the meta line first).',
    );
  }
  // One process, one clock: events are written in time order, but a hand-made file may not be.
  events.sort((a, b) => a.t - b.t);
  return { meta: meta!, events };
}
