/**
 * The tree file `dump` writes and `seed` reads (pure): YAML a person can read and edit, one key
 * per znode path, in depth-first order. A value is the node's data as text, `{}` for a node
 * with no data, or a mapping for anything more:
 *
 *   /app: hello                       text data, default ACL, persistent
 *   /app/empty: {}                    no data at all (not even an empty string: `""` is that)
 *   /app/blob: { base64: AAEC }       data that is not text
 *   /app/locked:
 *     data: secret
 *     acl: [digest:alice:X1y…=:cdrwa, world:anyone:r]
 *   /app/box: { container: true }     also ttl: <ms>, ephemeral: true, sequential: true
 *
 * Rendering is deterministic (same tree, same bytes), which is what makes
 * `dump → reset → seed → dump` reproduce the file exactly.
 */
import YAML from 'yaml';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { UsageError } from '../../errors.js';
import { suggestion } from '../../options/keys.js';
import {
  formatAcl, isOpenAcl, isReserved, MAX_TTL_MS, OPEN_ACL, parentOf, parseAcl, SEQUENCE_SUFFIX, znodePathProblem,
  type AclEntry, type NodeKind,
} from '../../zk/znodes.js';

export interface TreeNode {
  path: string;
  /** The node's bytes; null when it has none at all (created without data), which differs from empty. */
  data: Buffer | null;
  acl: AclEntry[];
  kind: NodeKind;
  /** For a TTL node: its TTL in milliseconds. */
  ttlMs?: number;
  /**
   * The name ends with a 10-digit counter. ZooKeeper does not record how a node was named, so
   * this is read from the name, noted in a dump, and a seed creates the exact name.
   */
  sequential: boolean;
}

/**
 * Most data a seeded node may hold: a whole request must fit in jute.maxbuffer (1 MiB by
 * default), path and ACL included, so 1 KiB is left for those.
 */
export const MAX_DATA_BYTES = 1024 * 1024 - 1024;

// Characters a person cannot read in a YAML value (controls, byte-order and non-characters):
// data holding any of them is written as base64.
// eslint-disable-next-line no-control-regex
const UNREADABLE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]/;

/** The data as text, when it is UTF-8 that reads back byte for byte and holds nothing unreadable. */
export function asText(data: Buffer): string | undefined {
  const text = data.toString('utf8');
  return Buffer.from(text, 'utf8').equals(data) && !UNREADABLE.test(text) ? text : undefined;
}

/** Depth-first order, siblings by name: parents always before their children. */
export function sortTree<T extends { path: string }>(nodes: T[]): T[] {
  const keyed = nodes.map((n) => ({ n, key: n.path.split('/') }));
  keyed.sort(({ key: x }, { key: y }) => {
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return x.length - y.length;
  });
  return keyed.map((k) => k.n);
}

/** Deepest first (depth-first order within a depth): every node after all of its descendants. */
export function deepestFirst<T extends { path: string }>(nodes: T[]): T[] {
  return byDepth(sortTree(nodes).reverse(), -1);
}

/** Shallowest first (depth-first order within a depth): every node after its ancestors. */
export function shallowestFirst<T extends { path: string }>(nodes: T[]): T[] {
  return byDepth(sortTree(nodes), 1);
}

function byDepth<T extends { path: string }>(nodes: T[], sign: number): T[] {
  const depth = (p: string) => { let d = 0; for (const c of p) if (c === '/') d++; return d; };
  // Array.prototype.sort is stable: the depth-first order stays within each depth.
  return nodes.map((n) => ({ n, d: depth(n.path) })).sort((a, b) => sign * (a.d - b.d)).map((x) => x.n);
}

function valueOf(n: TreeNode): unknown {
  const text = n.data ? asText(n.data) : undefined;
  const plain = n.kind === 'persistent' && !n.sequential && isOpenAcl(n.acl);
  if (plain && n.data === null) return {};
  if (plain && text !== undefined) return text;
  const m = new Map<string, unknown>();
  if (n.data !== null) m.set(text !== undefined ? 'data' : 'base64', text ?? n.data.toString('base64'));
  if (!isOpenAcl(n.acl)) m.set('acl', n.acl.map(formatAcl));
  if (n.kind === 'ephemeral') m.set('ephemeral', true);
  if (n.kind === 'container') m.set('container', true);
  if (n.kind === 'ttl') m.set('ttl', n.ttlMs);
  if (n.sequential) m.set('sequential', true);
  return m;
}

/** The file for a dump of `root`: a header saying what it is, then every node. */
export function renderTreeFile(nodes: TreeNode[], root: string): string {
  const header = [
    `# zkpseudo dump of ${root}: ${nodes.length} znode${nodes.length === 1 ? '' : 's'}. \`zkpseudo seed FILE\` creates them again.`,
    '# Each key is a path; its value the data as text, {} for none, or a mapping of data | base64, acl',
    '# (scheme:id:perms, perms from cdrwa), ephemeral, container, ttl (ms) and sequential.',
  ].join('\n');
  if (!nodes.length) return `${header}\n{}\n`;
  const doc = new Map(sortTree(nodes).map((n) => [n.path, valueOf(n)]));
  return `${header}\n${YAML.stringify(doc, { lineWidth: 0 })}`;
}

// ---- reading ----------------------------------------------------------------------------

/** One value as the file gave it, with its line when it came from a file. */
interface RawValue {
  value: unknown;
  /** The source text of a plain YAML scalar (`5`, `true`): data is what the file shows. */
  source?: string;
  line?: number;
}

interface RawEntry {
  path: unknown;
  line?: number;
  value: RawValue;
  /** The mapping's fields, when the value is a mapping. */
  fields?: { key: string; value: RawValue }[];
}

interface Problem {
  line?: number;
  path: string;
  message: string;
}

const FIELDS = ['data', 'base64', 'acl', 'ephemeral', 'container', 'ttl', 'sequential'];

function dataOf(v: RawValue, problems: (m: string) => void): Buffer | null {
  if (v.value === null || v.value === undefined) return null;
  if (v.value instanceof Uint8Array) return Buffer.from(v.value);
  if (typeof v.value === 'string') return Buffer.from(v.value, 'utf8');
  if (v.source !== undefined && ['number', 'boolean', 'bigint'].includes(typeof v.value)) return Buffer.from(v.source, 'utf8');
  if (typeof v.value === 'number' || typeof v.value === 'boolean') return Buffer.from(String(v.value), 'utf8');
  problems(`${JSON.stringify(v.value)?.slice(0, 40)} is not text (quote it, or use base64:)`);
  return null;
}

function base64Of(v: RawValue, problem: (m: string) => void): Buffer | null {
  const s = v.value;
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || Buffer.from(s, 'base64').toString('base64') !== s) {
    problem(`base64: ${JSON.stringify(s)?.slice(0, 40)} is not base64 (A–Z a–z 0–9 + /, padded with = to a multiple of 4)`);
    return null;
  }
  return Buffer.from(s, 'base64');
}

/** One entry checked into a node; every problem goes to `problems`. */
function checkEntry(e: RawEntry, problems: Problem[]): TreeNode | undefined {
  const path = typeof e.path === 'string' ? e.path : String(e.path);
  const say = (message: string, line = e.line) => problems.push({ path, message, ...(line ? { line } : {}) });
  const pathIssue = znodePathProblem(e.path);
  if (pathIssue) say(`the key ${pathIssue}`);
  else if (path === '/') say('the root / always exists; give its children');
  else if (isReserved(path)) say('/zookeeper is ZooKeeper\'s own tree and cannot be seeded');
  const node: TreeNode = { path, data: null, acl: [...OPEN_ACL], kind: 'persistent', sequential: false };
  if (!e.fields) {
    const v = e.value.value;
    if (v !== null && v !== undefined && (typeof v === 'object' && !(v instanceof Uint8Array))) {
      say(`${Array.isArray(v) ? 'a list' : JSON.stringify(v)?.slice(0, 40)} is neither data (text) nor a mapping of ${FIELDS.join(', ')}`);
    } else node.data = dataOf(e.value, (m) => say(m));
  } else {
    const given = new Map(e.fields.map((f) => [f.key, f.value]));
    for (const f of e.fields) if (!FIELDS.includes(f.key)) say(`"${f.key}" is not a known key${suggestion(f.key, FIELDS)}; known keys: ${FIELDS.join(', ')}`, f.value.line);
    const data = given.get('data');
    const b64 = given.get('base64');
    if (data && b64) say('give data or base64, not both', b64.line);
    if (data) node.data = dataOf(data, (m) => say(`data: ${m}`, data.line));
    if (b64) node.data = base64Of(b64, (m) => say(m, b64.line));
    const acl = given.get('acl');
    if (acl) {
      const list = typeof acl.value === 'string' ? [acl.value] : acl.value;
      if (!Array.isArray(list) || !list.length) say('acl: must be a list of scheme:id:perms entries, at least one', acl.line);
      else {
        const parsed = list.map(parseAcl);
        for (const p of parsed) if (typeof p === 'string') say(`acl: ${p}`, acl.line);
        node.acl = parsed.filter((p): p is AclEntry => typeof p !== 'string');
      }
    }
    const flag = (key: string) => {
      const v = given.get(key);
      if (v && typeof v.value !== 'boolean') say(`${key}: ${JSON.stringify(v.value)} is not true or false`, v.line);
      return v?.value === true;
    };
    const kinds: NodeKind[] = [];
    if (flag('ephemeral')) kinds.push('ephemeral');
    if (flag('container')) kinds.push('container');
    const ttl = given.get('ttl');
    if (ttl) {
      if (!Number.isInteger(ttl.value) || (ttl.value as number) < 1 || (ttl.value as number) > MAX_TTL_MS) say(`ttl: ${JSON.stringify(ttl.value)} is not a whole number of milliseconds from 1 to ${MAX_TTL_MS}`, ttl.line);
      else { kinds.push('ttl'); node.ttlMs = ttl.value as number; }
    }
    if (kinds.length > 1) say(`a node is one of ephemeral, container or ttl, not ${kinds.join(' and ')}`);
    node.kind = kinds[0] ?? 'persistent';
    node.sequential = flag('sequential');
    if (node.sequential && !SEQUENCE_SUFFIX.test(path)) say('sequential: a sequential node\'s name ends with its 10-digit counter, like job-0000000003', given.get('sequential')!.line);
  }
  if (node.data && node.data.length > MAX_DATA_BYTES) say(`its data is ${node.data.length} bytes; ZooKeeper takes at most ${MAX_DATA_BYTES} (jute.maxbuffer, 1 MiB, less room for the request)`);
  return problems.some((p) => p.path === path) ? undefined : node;
}

/** Checks every entry, then the tree as a whole; throws one UsageError naming every problem. */
function checkEntries(entries: RawEntry[], where: string, lines: boolean): TreeNode[] {
  const problems: Problem[] = [];
  const nodes = entries.map((e) => checkEntry(e, problems)).filter((n): n is TreeNode => !!n);
  const byPath = new Map(nodes.map((n) => [n.path, n]));
  const lineOf = new Map(entries.map((e) => [String(e.path), e.line]));
  for (const n of nodes) {
    if (byPath.get(parentOf(n.path))?.kind === 'ephemeral') {
      const line = lineOf.get(n.path);
      problems.push({ path: n.path, message: `its parent ${parentOf(n.path)} is ephemeral, and ephemeral nodes cannot have children`, ...(line ? { line } : {}) });
    }
  }
  if (problems.length) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const say = (p: Problem) => `${where}${lines && p.line ? `:${p.line}` : ''}: ${p.path}: ${p.message}`;
    throw new UsageError(
      problems.length === 1 ? `${say(problems[0]!)}.` : `${where} has ${problems.length} problems:\n  ${problems.map(say).join('\n  ')}`,
      'Nothing was written. Fix the tree: each key is a znode path; its value the data as text, {} for none, or a mapping of data | base64, acl, ephemeral, container, ttl and sequential (the README\'s "Dump and seed" shows each).',
    );
  }
  return nodes;
}

/** Parses and checks a tree file's text (`file` names it in messages, with line numbers). */
export function parseTreeFile(text: string, file: string): TreeNode[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : undefined);
  if (doc.errors.length) {
    const say = (e: (typeof doc.errors)[number]) => `${file}${e.linePos?.[0]?.line ? `:${e.linePos[0].line}` : ''}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    throw new UsageError(
      doc.errors.length === 1 ? `${say(doc.errors[0]!)}.` : `${file} is not valid YAML:\n  ${doc.errors.map(say).join('\n  ')}`,
      'Nothing was written. Fix the YAML (each key a znode path, like /app: hello).',
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return [];
  if (!isMap(doc.contents)) {
    throw new UsageError(`${file}:${lineOf(doc.contents as Node) ?? 1}: the file must be a mapping of znode paths, like /app: hello.`, 'Nothing was written. `zkpseudo dump` writes such a file.');
  }
  const raw = (n: Node | null): RawValue => {
    const line = lineOf(n);
    const at = line ? { line } : {};
    if (n === null) return { value: null, ...at };
    if (isScalar(n)) return { value: n.value, ...(n.type === 'PLAIN' && typeof n.source === 'string' ? { source: n.source } : {}), ...at };
    return { value: n.toJSON(), ...at };
  };
  const entries: RawEntry[] = (doc.contents.items as Pair<Node, Node | null>[]).map((pair) => {
    const line = lineOf(pair.key);
    const entry: RawEntry = { path: isScalar(pair.key) ? pair.key.value : pair.key?.toJSON?.(), value: raw(pair.value), ...(line ? { line } : {}) };
    if (isMap(pair.value)) {
      entry.fields = (pair.value.items as Pair<Node, Node | null>[]).map((f) => ({ key: String(isScalar(f.key) ? f.key.value : f.key), value: { ...raw(f.value), ...(lineOf(f.key) ? { line: lineOf(f.key)! } : {}) } }));
    } else if (isSeq(pair.value)) entry.value = { value: pair.value.toJSON(), ...(line ? { line } : {}) };
    return entry;
  });
  return checkEntries(entries, file, true);
}

/**
 * Checks a tree given as an object in the file's shape (`{ '/app': 'hello', '/app/x': { data:
 * 'y' } }`), as `zk.seed(object)` takes it; `what` names it in messages.
 */
export function treeFromObject(value: unknown, what = 'seed'): TreeNode[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new UsageError(`${what}: ${JSON.stringify(value)?.slice(0, 60)} is not a tree; give a file's path or an object like { '/app': 'hello' }.`, 'Nothing was written.');
  }
  const entries: RawEntry[] = Object.entries(value as Record<string, unknown>).map(([path, v]) => {
    const isFields = v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
    return {
      path,
      value: { value: v },
      ...(isFields ? { fields: Object.entries(v as Record<string, unknown>).map(([key, fv]) => ({ key, value: { value: fv } })) } : {}),
    };
  });
  return checkEntries(entries, what, false);
}
