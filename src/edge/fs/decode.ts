/**
 * Reading back what zkpseudo wrote, decoded as strictly as user input (STYLE habit 13): a file
 * zkpseudo wrote itself is still untrusted once it is on disk — a crash, a full disk, a tmp
 * cleaner or a hand edit can leave anything there.
 *
 * Two halves, one mechanism:
 * - decoders (pure): small schema pieces that turn an `unknown` into a typed value or a list
 *   of problems, each `key: problem` (`[0].pid: "x" is not a process id`), every problem at once;
 * - `readBack` (the side effect): reads a file bounded in size, as strict UTF-8 (binary junk is
 *   a problem, not mojibake), parses and decodes it, and answers missing, ok or damaged. A caller
 *   that can tell the user passes `report`: the damaged file is then moved aside (never deleted)
 *   through the guarded boundary and the notice names it. A caller with no one to tell (a status
 *   poll, a background helper) only learns it is damaged and leaves it for one that can.
 */
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { mkdirOwned, renameOwned } from './owned-fs.js';

export type Decoded<T> = { ok: true; value: T } | { ok: false; problems: string[] };
/** Decodes `value` found at key path `at` ("" for the whole file). */
export type Decoder<T> = (value: unknown, at: string) => Decoded<T>;

const good = <T>(value: T): Decoded<T> => ({ ok: true, value });
const bad = (at: string, message: string): Decoded<never> => ({ ok: false, problems: [at ? `${at}: ${message}` : message] });

/** A value as a problem shows it: JSON, cut to 60 characters. */
export function show(v: unknown): string {
  const s = typeof v === 'bigint' ? String(v) : JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

const child = (at: string, key: string | number) => (typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${key}` : key);

/** Any value that passes `test`; a problem says it "is not" `what`. */
export function is<T>(what: string, test: (v: unknown) => boolean): Decoder<T> {
  return (v, at) => (test(v) ? good(v as T) : bad(at, `${show(v)} is not ${what}`));
}

/** A whole number from `min` to `max`. */
export const int = (min: number, max: number, what = `a whole number from ${min} to ${max}`) =>
  is<number>(what, (v) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max);

/** A finite number from `min` to `max`. */
export const num = (min: number, max: number, what = `a number from ${min} to ${max}`) =>
  is<number>(what, (v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max);

export const bool = is<boolean>('true or false', (v) => typeof v === 'boolean');

/** A string of at most `max` characters matching `shape`, without NUL or other control characters unless `shape` allows them. */
export const str = (what: string, shape: RegExp = /^[^\0-\x1f]*$/, max = 4096) =>
  is<string>(what, (v) => typeof v === 'string' && v.length <= max && shape.test(v));

/** One of a few literal values. */
export const oneOf = <T extends string | number | boolean | null>(...values: T[]) =>
  is<T>(values.map((x) => show(x)).join(' or '), (v) => values.includes(v as T));

/**
 * True for a plain absolute path: absolute, already normal (no `.`, `..`, `//` or trailing
 * slash), no control characters, at most PATH_MAX. A path read back can then only name what
 * zkpseudo wrote, never climb somewhere else.
 */
export function isPlainAbsolutePath(p: unknown): p is string {
  return typeof p === 'string' && p.length <= 4096 && path.isAbsolute(p) && path.normalize(p) === p && (p === path.sep || !p.endsWith(path.sep)) && !/[\0-\x1f]/.test(p);
}
export const absolutePath = (what = 'a plain absolute path') => is<string>(what, isPlainAbsolutePath);

export function nullable<T>(inner: Decoder<T>): Decoder<T | null> {
  return (v, at) => (v === null ? good(null) : inner(v, at));
}

/** A list of at most `max` items (at least `min`), each decoded by `item`. */
export function list<T>(item: Decoder<T>, opts: { max: number; min?: number; what?: string }): Decoder<T[]> {
  const what = opts.what ?? `a list of at most ${opts.max} items`;
  return (v, at) => {
    if (!Array.isArray(v) || v.length > opts.max || v.length < (opts.min ?? 0)) return bad(at, Array.isArray(v) && v.length <= opts.max ? `is not ${what}` : `${show(v)} is not ${what}`);
    const problems: string[] = [];
    const out: T[] = [];
    v.forEach((x, i) => {
      const d = item(x, child(at, i));
      if (d.ok) out.push(d.value);
      else problems.push(...d.problems);
    });
    return problems.length ? { ok: false, problems } : good(out);
  };
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A mapping whose keys match `key` (at most `max` of them), each value decoded by `item`. */
export function record<T>(key: RegExp, keyWhat: string, item: Decoder<T>, max: number): Decoder<Record<string, T>> {
  return (v, at) => {
    if (!isMapping(v)) return bad(at, `${show(v)} is not a mapping`);
    const entries = Object.entries(v);
    if (entries.length > max) return bad(at, `has ${entries.length} keys, more than the ${max} zkpseudo writes`);
    const problems: string[] = [];
    const out: Record<string, T> = {};
    for (const [k, x] of entries) {
      if (!key.test(k)) { problems.push(`${child(at, k)}: is not ${keyWhat}`); continue; }
      const d = item(x, child(at, k));
      if (d.ok) out[k] = d.value;
      else problems.push(...d.problems);
    }
    return problems.length ? { ok: false, problems } : good(out);
  };
}

type Fields<S> = { [K in keyof S]-?: Decoder<Exclude<S[K], undefined>> };

/**
 * A mapping with exactly these keys: each decoded by its field's decoder, a key in `optional`
 * may be absent, and a key zkpseudo does not write is a problem (as kind decodes its config).
 */
export function object<S extends object>(fields: Fields<S>, opts: { optional?: (keyof S)[]; what?: string } = {}): Decoder<S> {
  const optional = new Set<PropertyKey>(opts.optional ?? []);
  return (v, at) => {
    if (!isMapping(v)) return bad(at, at ? `${show(v)} is not ${opts.what ?? 'a mapping of keys'}` : `the file holds ${show(v)}, not ${opts.what ?? 'a mapping of keys'}`);
    const problems: string[] = [];
    const out: Record<string, unknown> = {};
    for (const [k, dec] of Object.entries(fields) as [string, Decoder<unknown>][]) {
      if (!Object.hasOwn(v, k) || v[k] === undefined) {
        if (!optional.has(k)) problems.push(`${child(at, k)}: is missing`);
        continue;
      }
      const d = dec(v[k], child(at, k));
      if (d.ok) out[k] = d.value;
      else problems.push(...d.problems);
    }
    for (const k of Object.keys(v)) if (!Object.hasOwn(fields, k)) problems.push(`${child(at, k)}: is not a key zkpseudo writes`);
    return problems.length ? { ok: false, problems } : good(out as S);
  };
}

/** `inner`, then a check across its fields returning more problems (each already `key: problem`). */
export function refine<T>(inner: Decoder<T>, check: (value: T, at: string) => string[]): Decoder<T> {
  return (v, at) => {
    const d = inner(v, at);
    if (!d.ok) return d;
    const problems = check(d.value, at);
    return problems.length ? { ok: false, problems } : d;
  };
}

/** Text as zkpseudo writes one line of it: the line (without its newline) decoded by `inner`. */
export function line<T>(inner: Decoder<T>): Decoder<T> {
  return (v, at) => {
    if (typeof v !== 'string' || !v.endsWith('\n') || v.indexOf('\n') !== v.length - 1) return bad(at, `the file holds ${show(v)}, not one line`);
    return inner(v.slice(0, -1), at);
  };
}

export type ReadBack<T> =
  | { state: 'missing' }
  | { state: 'ok'; value: T }
  /** `movedTo` when it was moved aside; `notice` is what the caller was told (with `report`). */
  | { state: 'damaged'; problems: string[]; code?: string; movedTo?: string; notice?: string };

export interface ReadBackOptions {
  /** How the bytes are taken: JSON (default), UTF-8 text, or raw bytes (a Buffer). */
  as?: 'json' | 'text' | 'bytes';
  /** The most bytes zkpseudo ever writes there; a larger file is damaged (default 64 KiB). */
  maxBytes?: number;
  /** With `as: 'bytes'`: read only the first `maxBytes` (a header), whatever the size. */
  head?: boolean;
  /**
   * Given, a damaged file is moved aside under `root` (to `<file>.damaged-<ms>`, or where
   * `aside` says) and `say` is told, naming the file, its problems, where it went and `then`:
   * what happens instead ("went on without them").
   */
  report?: { root: string; say: (text: string) => void; then: string; aside?: (file: string) => string; what?: string };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readBounded(file: string, opts: ReadBackOptions): Promise<{ bytes: Buffer } | { problem: string; code?: string } | undefined> {
  const max = opts.maxBytes ?? 64 * 1024;
  let st;
  try {
    st = await lstat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return { problem: `it cannot be read (${code ?? (err as Error).message})`, ...(code ? { code } : {}) };
  }
  if (st.isSymbolicLink()) return { problem: 'it is a symbolic link, where zkpseudo writes a plain file' };
  if (!st.isFile()) return { problem: `it is a ${st.isDirectory() ? 'directory' : 'special file'}, where zkpseudo writes a plain file` };
  if (st.size > max && !opts.head) return { problem: `it is ${st.size} bytes long, more than the ${max} zkpseudo ever writes there` };
  try {
    const handle = await open(file, 'r');
    try {
      const bytes = Buffer.alloc(Math.min(st.size, max));
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
      return { bytes: bytes.subarray(0, bytesRead) };
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return { problem: `it cannot be read (${code ?? (err as Error).message})`, ...(code ? { code } : {}) };
  }
}

/** Turns the bytes into the value a decoder gets: a Buffer, strict UTF-8 text, or parsed JSON. */
function take(bytes: Buffer, as: ReadBackOptions['as']): { value: unknown } | { problem: string } {
  if (as === 'bytes') return { value: bytes };
  if (bytes.length === 0) return { problem: 'it is empty' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { problem: 'it is not UTF-8 text (binary junk)' };
  }
  if (as === 'text') return { value: text };
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { problem: `it is not JSON (${(err as Error).message.split('\n')[0]})` };
  }
}

/**
 * Reads `file` and decodes it: missing, ok (the value), or damaged (every problem). With
 * `report`, a damaged file is moved aside and the caller's `say` names it.
 */
export async function readBack<T>(file: string, decode: Decoder<T>, opts: ReadBackOptions = {}): Promise<ReadBack<T>> {
  const read = await readBounded(file, opts);
  if (!read) return { state: 'missing' };
  let problems: string[];
  let code: string | undefined;
  if ('problem' in read) {
    problems = [read.problem];
    code = read.code;
  } else {
    const taken = take(read.bytes, opts.as);
    if ('problem' in taken) problems = [taken.problem];
    else {
      const d = decode(taken.value, '');
      if (d.ok) return { state: 'ok', value: d.value };
      problems = d.problems;
    }
  }
  return damaged(file, problems, opts.report, code);
}

/** Moves a damaged file aside (when there is someone to tell) and says so; the answer readBack gives. */
export async function damaged(file: string, problems: string[], report?: ReadBackOptions['report'], code?: string): Promise<ReadBack<never>> {
  const out: ReadBack<never> = { state: 'damaged', problems, ...(code ? { code } : {}) };
  if (!report) return out;
  const shown = problems.length > 3 ? [...problems.slice(0, 3), `and ${problems.length - 3} more`] : problems;
  const dest = report.aside ? report.aside(file) : `${file}.damaged-${Date.now()}`;
  let where: string;
  try {
    await mkdirOwned(report.root, path.dirname(dest));
    await renameOwned(report.root, file, dest);
    out.movedTo = dest;
    where = `moved it aside to ${dest}`;
  } catch (err) {
    // Another process moved it meanwhile (and said so, if it could): nothing more to say.
    if ((err as { code?: string }).code === 'ENOENT') return out;
    // A read-only place: say so and go on.
    where = `could not move it aside (${(err as Error).message})`;
  }
  out.notice = `${report.what ? `${report.what} ` : ''}${file} was damaged (${shown.join('; ')}); ${where}; ${report.then}`;
  report.say(out.notice);
  return out;
}
