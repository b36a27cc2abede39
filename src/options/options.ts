/** Defaults and validation of written options (pure: the environment is a parameter). */
import { UsageError } from '../errors.js';
import { parseZkVersion, compareZkVersions, type ZkVersion } from '../zk/versions.js';
import { FOUR_LETTER_WHITELIST_KEY, isManagedKey } from '../zk/config/keys.js';
import { keyIgnoredBy, versionFacts } from '../zk/version-facts.js';
import { checkConfigValue, configConflicts } from '../zk/config/key-types.js';
import { ENSEMBLE_NAME } from './names.js';
import type { EnsembleOptions, SecuritySpec } from './types.js';
import { API_KEYS, suggestion, typeIssue } from './keys.js';

/** More servers than this on one machine is almost certainly a typo. */
export const MAX_SERVERS = 31;
export const DEFAULT_SERVERS = 3;
export const DEFAULT_HEAP_MB = 128;
export const DEFAULT_TIMEOUT_MS = 60_000;
/** A day: longer waits are typos (and beyond what a timer can hold safely). */
export const MAX_DURATION_MS = 24 * 3_600_000;
/** Beyond this a test server's heap is a typo. */
export const MAX_HEAP_MB = 64 * 1024;

/** Options after defaults and validation; `zkVersion` stays undefined when none was asked for. */
export interface Request {
  name: string;
  zkVersion?: ZkVersion;
  servers: number;
  observers: number;
  ports: 'auto' | 'classic' | number;
  adminPort?: 'auto' | number;
  dist?: string;
  mirror?: string;
  heapMb: number;
  timeoutMs: number;
  config: Record<string, string>;
  wait: boolean;
  owner?: number;
  offline: boolean;
  faults: boolean;
  tickMs?: number;
  /** TLS and SASL asked for; undefined for a plain ensemble. */
  security?: SecuritySpec;
  /** Which options were given explicitly, to tell a resume from a change of shape. */
  explicit: Set<keyof EnsembleOptions>;
}

/** One problem with one option: `key` is the option or file key, `message` what is wrong with it. */
export interface Issue {
  key: string;
  message: string;
}


/** "128m", "1g", "512M" → MiB; undefined if not a size. */
export function parseHeap(text: string): number | undefined {
  const m = /^(\d+)([mMgG])$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (m[2]!.toLowerCase() === 'g' ? 1024 : 1);
}

/**
 * "60s", "1.5s", "2m", "1h", "500ms", "90" (a command line's unitless number: seconds) or a
 * number of milliseconds → milliseconds; undefined for anything else, for zero, and for more
 * than a day. A number is milliseconds everywhere in the library (as `tick` and `delay` are);
 * only the command line's unit strings keep seconds as their unitless default.
 */
export function parseDuration(value: string | number): number | undefined {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
    if (!m) return undefined;
    const n = Number(m[1]);
    ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : m[2] === 'h' ? n * 3_600_000 : n * 1000;
  }
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_DURATION_MS ? Math.round(ms) : undefined;
}

/**
 * What is wrong with a duration given by code (`up()`, `waitFor()`): a number is milliseconds
 * and a string must carry its unit, because "90" reads as seconds on the command line and as
 * milliseconds in `tick` — code says which. Undefined when it is fine (its range is checked
 * where it is parsed).
 */
export function codeDurationIssue(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${value} is not a number of milliseconds`;
  if (typeof value !== 'string') return `${JSON.stringify(value)} is not a duration: give milliseconds as a number, or a string with a unit like "1.5s"`;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return `"${value}" has no unit: give ${value.trim()} (a number, milliseconds) or "${value.trim()}s"`;
  return undefined;
}

/** "200ms", "1s", or a number of milliseconds → ms between 50 and 60 000; undefined otherwise. */
export function parseTick(value: string | number): number | undefined {
  const ms = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : parseDuration(value);
  return ms !== undefined && Number.isInteger(ms) && ms >= 50 && ms <= 60_000 ? ms : undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const MIN_VERSION = parseZkVersion('3.4.0')!;

/**
 * Applies defaults and checks every option, collecting all problems before failing so a
 * user fixes them in one go. Throws a UsageError listing each as `key: message`.
 */
export function normalizeOptions(opts: EnsembleOptions, env: NodeJS.ProcessEnv = {}, defaults: Defaults = {}): Request {
  const shapeIssues = checkShape(opts);
  if (shapeIssues.length) throw usageErrorFor(shapeIssues);
  const { request, issues } = checkOptions(opts, env, defaults);
  if (issues.length) throw usageErrorFor(issues);
  return request!;
}

/**
 * Keys and types of options given by code (`up()`): an unknown key (`serverz`) or a value of
 * the wrong type (`name: 5`) is a usage error, as it is in an ensemble file.
 */
export function checkShape(opts: unknown): Issue[] {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) return [{ key: 'options', message: 'must be an object such as { servers: 3 }' }];
  const issues: Issue[] = [];
  for (const [key, value] of Object.entries(opts)) {
    if (value === undefined) continue;
    const kind = API_KEYS[key];
    if (!kind) issues.push({ key, message: `is not a known option${suggestion(key, Object.keys(API_KEYS))}` });
    else {
      const bad = typeIssue(key, kind, value);
      if (bad) issues.push({ key, message: bad });
    }
  }
  return issues;
}

/**
 * Defaults an entry point chooses instead of the built-in ones (the library's ports are
 * "auto"). They are not explicit: an existing ensemble made otherwise resumes as it was made.
 */
export interface Defaults {
  ports?: 'auto' | 'classic';
}

/** Like normalizeOptions, but returns the issues instead of throwing (for file:line reports). */
export function checkOptions(opts: EnsembleOptions, env: NodeJS.ProcessEnv = {}, defaults: Defaults = {}): { request?: Request; issues: Issue[] } {
  const issues: Issue[] = [];
  const explicit = new Set(Object.keys(opts).filter((k) => (opts as Record<string, unknown>)[k] !== undefined) as (keyof EnsembleOptions)[]);

  const name = opts.name ?? 'default';
  if (!ENSEMBLE_NAME.test(name)) issues.push({ key: 'name', message: `"${name}" is not a valid name (letters, digits, ".", "_", "-"; up to 64)` });

  let zkVersion: ZkVersion | undefined;
  if (opts.zkVersion !== undefined) {
    zkVersion = parseZkVersion(String(opts.zkVersion));
    if (!zkVersion) issues.push({ key: 'zkVersion', message: `"${opts.zkVersion}" is not a ZooKeeper version like 3.8.4` });
    else if (compareZkVersions(zkVersion, MIN_VERSION) < 0) issues.push({ key: 'zkVersion', message: `${zkVersion.text} is older than 3.4.0, which zkpseudo does not support` });
  }

  const servers = opts.servers ?? DEFAULT_SERVERS;
  if (!Number.isInteger(servers) || servers < 1 || servers > MAX_SERVERS) {
    issues.push({ key: 'servers', message: `${JSON.stringify(opts.servers)} is not a whole number from 1 to ${MAX_SERVERS}` });
  }
  const observers = opts.observers ?? 0;
  if (!Number.isInteger(observers) || observers < 0 || observers + (Number.isInteger(servers) ? servers : 0) > MAX_SERVERS) {
    issues.push({ key: 'observers', message: `${JSON.stringify(opts.observers)} is not a whole number from 0 to ${MAX_SERVERS} minus the servers` });
  }

  const ports = opts.ports ?? defaults.ports ?? 'classic';
  if (!(ports === 'auto' || ports === 'classic' || (Number.isInteger(ports) && (ports as number) >= 1024 && (ports as number) <= 65535 - 4 * MAX_SERVERS))) {
    issues.push({ key: 'ports', message: `${JSON.stringify(ports)} is not "auto", "classic" or a base port from 1024 to ${65535 - 4 * MAX_SERVERS}` });
  }

  const adminPort = opts.adminPort;
  if (adminPort !== undefined && !(adminPort === 'auto' || (Number.isInteger(adminPort) && adminPort >= 1024 && adminPort <= 65535 - MAX_SERVERS))) {
    issues.push({ key: 'adminPort', message: `${JSON.stringify(adminPort)} is not "auto" or a port number from 1024` });
  }

  const heapMb = opts.heap === undefined ? DEFAULT_HEAP_MB : parseHeap(String(opts.heap));
  if (heapMb === undefined || heapMb < 32 || heapMb > MAX_HEAP_MB) issues.push({ key: 'heap', message: `"${opts.heap}" is not a heap size from 32m to 64g, like 128m or 1g` });

  const timeoutMs = opts.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(opts.timeout);
  if (timeoutMs === undefined) issues.push({ key: 'timeout', message: `"${opts.timeout}" is not a duration from 1ms to 24h, like 60s, 2m or 500ms (a number is milliseconds)` });

  const mirror = opts.mirror ?? (env.ZKPSEUDO_MIRROR || undefined);
  if (mirror !== undefined && !isHttpUrl(mirror)) issues.push({ key: 'mirror', message: `"${mirror}" is not an http(s) URL` });

  if (opts.dist !== undefined && (typeof opts.dist !== 'string' || opts.dist.trim() === '')) {
    issues.push({ key: 'dist', message: 'must be a tarball path, a directory, an http(s) URL or "system"' });
  }

  if (opts.owner !== undefined && !(Number.isInteger(opts.owner) && opts.owner > 0)) issues.push({ key: 'owner', message: `${JSON.stringify(opts.owner)} is not a process id` });
  if (opts.wait !== undefined && typeof opts.wait !== 'boolean') issues.push({ key: 'wait', message: `${JSON.stringify(opts.wait)} is not true or false` });

  // A tick below 50 ms starves ZooKeeper's own timers; above a minute no test wants it.
  const tickMs = opts.tick === undefined ? undefined : parseTick(opts.tick);
  if (opts.tick !== undefined && tickMs === undefined) issues.push({ key: 'tick', message: `"${opts.tick}" is not a tick from 50ms to 60s, like 200ms` });
  if (tickMs !== undefined && opts.config && 'tickTime' in opts.config) issues.push({ key: 'tick', message: 'give either tick or config.tickTime, not both' });

  const security = securityOf(opts, issues);

  const config: Record<string, string> = {};
  for (const [key, raw] of Object.entries(opts.config ?? {})) {
    const value = String(raw);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(key)) issues.push({ key: `config.${key}`, message: 'is not a zoo.cfg key' });
    else if (key === FOUR_LETTER_WHITELIST_KEY && value.trim() !== '*' && !value.split(/[\s,]+/).includes('srvr')) issues.push({ key: `config.${key}`, message: 'must include srvr, which `zkpseudo status` uses (or be *)' });
    else if (isManagedKey(key)) issues.push({ key: `config.${key}`, message: 'is managed by zkpseudo and cannot be set' });
    else if (/[\r\n]/.test(value)) issues.push({ key: `config.${key}`, message: 'must be a single line' });
    else {
      // A known key's value is typed (ZooKeeper would stop at start on a bad one); others pass as written.
      const checked = checkConfigValue(key, value);
      if (checked.ok) config[key] = checked.value;
      else issues.push({ key: `config.${key}`, message: checked.problem });
    }
  }
  // Only once every value is good: a conflict between bad values would say nothing new.
  if (!issues.some((i) => i.key.startsWith('config.'))) {
    for (const c of configConflicts(config, tickMs)) issues.push({ key: `config.${c.key}`, message: c.problem });
  }

  // Only now is the config known clean: a release that would ignore some of it says so.
  if (zkVersion && !issues.length) issues.push(...versionIssues({ adminPort, config }, zkVersion));
  if (issues.length) return { issues };
  const request: Request = {
    name,
    ...(zkVersion ? { zkVersion } : {}),
    servers,
    observers,
    ports,
    ...(adminPort !== undefined ? { adminPort } : {}),
    ...(opts.dist !== undefined ? { dist: opts.dist } : {}),
    ...(mirror !== undefined ? { mirror } : {}),
    heapMb: heapMb!,
    timeoutMs: timeoutMs!,
    config,
    wait: opts.wait ?? true,
    offline: opts.offline ?? env.ZKPSEUDO_OFFLINE === '1',
    faults: opts.faults ?? false,
    ...(tickMs !== undefined ? { tickMs } : {}),
    ...(opts.owner !== undefined ? { owner: opts.owner } : {}),
    ...(security ? { security } : {}),
    explicit,
  };
  return { request, issues };
}

/**
 * Options that release `v` would silently ignore, as issues: ZooKeeper takes a key it does not
 * know without a word (it becomes a system property), and 3.4 has no AdminServer, so an
 * AdminServer port or a four-letter-word whitelist for it would be a promise not kept.
 */
export function versionIssues(opts: { adminPort?: 'auto' | number | undefined; config: Record<string, string> }, v: ZkVersion): Issue[] {
  const issues: Issue[] = [];
  if (opts.adminPort !== undefined && !versionFacts(v).adminServer) issues.push({ key: 'adminPort', message: `ZooKeeper ${v.text} has no AdminServer (it came with 3.5)` });
  for (const key of Object.keys(opts.config)) {
    const why = keyIgnoredBy(v, key);
    if (why) issues.push({ key: `config.${key}`, message: why });
  }
  return issues;
}

/** `tls`, `tlsOnly`, `tlsClientAuth` and `sasl` as one SecuritySpec; undefined when none is on. */
function securityOf(opts: EnsembleOptions, issues: Issue[]): SecuritySpec | undefined {
  const tls = opts.tls === true || opts.tlsOnly === true;
  if (opts.tlsClientAuth !== undefined && !['need', 'want', 'none'].includes(opts.tlsClientAuth)) {
    issues.push({ key: 'tlsClientAuth', message: `${JSON.stringify(opts.tlsClientAuth)} is not "need", "want" or "none"` });
  } else if (opts.tlsClientAuth !== undefined && !tls) {
    issues.push({ key: 'tlsClientAuth', message: 'applies to TLS only: add tls (--tls)' });
  }
  if (opts.tls === false && opts.tlsOnly === true) issues.push({ key: 'tlsOnly', message: 'needs tls; remove tls: false' });
  if (!tls && !opts.sasl) return undefined;
  return {
    ...(tls ? { tls: { only: opts.tlsOnly === true, clientAuth: opts.tlsClientAuth ?? 'need' } } : {}),
    ...(opts.sasl ? { sasl: true } : {}),
  };
}

/** One UsageError naming every issue. */
function usageErrorFor(issues: Issue[]): UsageError {
  const lines = issues.map((i) => `${i.key}: ${i.message}`);
  const message = lines.length === 1 ? `Invalid option ${lines[0]}.` : `Invalid options:\n  ${lines.join('\n  ')}`;
  return new UsageError(message, 'Fix the value(s) named above; `zkpseudo up --help` lists every option.');
}
