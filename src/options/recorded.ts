/**
 * Decoding a recorded ensemble.yaml after loading it (pure): a hand edit or a truncated write
 * must surface as "file: key: problem", never as a TypeError deep inside a command — and no
 * value in it may lead a path somewhere else: `dist.sha512` names the unpacked tree in the
 * cache, so it must be a digest; `dist.tarball` and path origins must be plain absolute paths;
 * zoo.cfg keys zkpseudo manages (dataDir, …) are refused as on the command line.
 */
import { absolutePath, bool, int, is, isPlainAbsolutePath, list, object, oneOf, record, refine, show, str, type Decoder } from '../edge/fs/decode.js';
import { isManagedKey } from '../zk/config/keys.js';
import type { ServerPorts } from '../zk/config/ports.js';
import { parseZkVersion } from '../zk/versions.js';
import { MAX_HEAP_MB, MAX_SERVERS } from './options.js';
import { ENSEMBLE_NAME } from './names.js';
import type { DistRecord, EnsembleSpec, FaultPorts, Member, SecuritySpec } from './types.js';

const port = int(1, 65535, 'a port number');

const PORTS = object<ServerPorts>({ client: port, quorum: port, election: port, admin: port, secureClient: port }, { optional: ['admin', 'secureClient'], what: 'a set of ports' });

const isHttpUrl = (v: unknown) => {
  if (typeof v !== 'string' || v.length > 4096) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

const DIST: Decoder<DistRecord> = refine(
  object<DistRecord>({
    source: oneOf('download', 'system', 'tarball', 'directory', 'url'),
    origin: str('a URL or a path', /^[^\0-\x1f]+$/),
    tarball: absolutePath('a plain absolute path to a .tar.gz'),
    sha512: str('a SHA-512 digest (128 lower-case hex digits)', /^[0-9a-f]{128}$/),
  }),
  (d, at) => {
    const web = d.source === 'download' || d.source === 'url';
    if (web ? isHttpUrl(d.origin) : isPlainAbsolutePath(d.origin)) return [];
    return [`${at}.origin: ${show(d.origin)} is not ${web ? 'an http(s) URL' : 'a plain absolute path'}`];
  },
);

const VERSION = is<string>('a ZooKeeper version like 3.8.4', (v) => typeof v === 'string' && v.length <= 40 && !!parseZkVersion(v));

/**
 * A server; one of a mixed ensemble (half-way through `upgrade`) records its own release and
 * the tarball its copy came from, both or neither.
 */
const MEMBER: Decoder<Member> = refine(
  object<Member>({
    id: int(1, MAX_SERVERS, 'a server id'),
    peerType: oneOf('participant', 'observer'),
    ports: PORTS,
    zkVersion: VERSION,
    dist: DIST,
  }, { optional: ['zkVersion', 'dist'], what: 'a server' }),
  (m, at) => ((m.zkVersion === undefined) === (m.dist === undefined) ? [] : [`${at}: records zkVersion and dist together or neither`]),
);

const FAULTS = object<FaultPorts>({
  links: record(/^\d{1,2}-\d{1,2}$/, 'a link like "1-2"', object<{ quorum: number; election: number }>({ quorum: port, election: port }), 2 * MAX_SERVERS * MAX_SERVERS),
  clients: record(/^\d{1,2}$/, 'a server id', port, MAX_SERVERS),
  secureClients: record(/^\d{1,2}$/, 'a server id', port, MAX_SERVERS),
}, { optional: ['secureClients'] });

/** `security`: `{ tls?: { only, clientAuth }, sasl?: true }`, as `up --tls/--tls-only/--sasl` record it. */
const SECURITY = object<SecuritySpec>({
  tls: object<NonNullable<SecuritySpec['tls']>>({ only: bool, clientAuth: oneOf('need', 'want', 'none') }),
  sasl: bool,
}, { optional: ['tls', 'sasl'] });

const CONFIG = record(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/, 'a zoo.cfg key', str('a string', /^[^\0]*$/, 64 * 1024), 1000);

const SPEC_FIELDS = object<EnsembleSpec>({
  name: str('an ensemble name', ENSEMBLE_NAME),
  zkVersion: VERSION,
  dist: DIST,
  heapMb: int(32, MAX_HEAP_MB, 'a heap size in MiB (at least 32)'),
  portScheme: (v, at) => (v === 'auto' || v === 'classic' || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535)
    ? { ok: true, value: v as EnsembleSpec['portScheme'] }
    : { ok: false, problems: [`${at}: ${show(v)} is not "auto", "classic" or a base port`] }),
  members: list(MEMBER, { min: 1, max: MAX_SERVERS, what: 'a list of servers' }),
  config: CONFIG,
  tickMs: int(50, 60_000, 'a tick in ms from 50 to 60000'),
  faults: FAULTS,
  security: SECURITY,
  createdAt: str('a time like 2025-01-31T12:00:00.000Z', /^\d{4}-\d\d-\d\dT[\d:.]+Z$/, 40),
}, { optional: ['config', 'tickMs', 'faults', 'security'] });

/** ensemble.yaml as zkpseudo writes it: every key, type and range, and the links between them. */
export const RECORDED_SPEC: Decoder<EnsembleSpec> = refine(
  (v, at) => {
    const d = SPEC_FIELDS(v, at);
    return d.ok ? { ok: true, value: { ...d.value, config: d.value.config ?? {} } } : d;
  },
  (spec) => {
    const problems: string[] = [];
    spec.members.forEach((m, i) => { if (m.id !== i + 1) problems.push(`members[${i}].id: ${m.id} should be ${i + 1}`); });
    for (const k of Object.keys(spec.config)) if (isManagedKey(k)) problems.push(`config.${k}: is managed by zkpseudo and cannot be set`);
    if (spec.faults) {
      const ids = new Set(spec.members.map((m) => m.id));
      for (const k of Object.keys(spec.faults.links)) {
        const [a, b] = k.split('-').map(Number) as [number, number];
        if (a === b || !ids.has(a) || !ids.has(b)) problems.push(`faults.links.${k}: does not link two servers of this ensemble`);
      }
      for (const k of Object.keys(spec.faults.clients)) if (!ids.has(Number(k))) problems.push(`faults.clients.${k}: is not a server of this ensemble`);
      for (const k of Object.keys(spec.faults.secureClients ?? {})) if (!ids.has(Number(k))) problems.push(`faults.secureClients.${k}: is not a server of this ensemble`);
    }
    // A TLS port beside the plain one exists exactly on an ensemble made with --tls (not --tls-only).
    const dualTls = !!spec.security?.tls && !spec.security.tls.only;
    spec.members.forEach((m, i) => {
      if (dualTls && m.ports.secureClient === undefined) problems.push(`members[${i}].ports.secureClient: is missing (the ensemble has TLS beside the plain port)`);
      if (!dualTls && m.ports.secureClient !== undefined) problems.push(`members[${i}].ports.secureClient: the ensemble has no TLS port beside the plain one`);
    });
    if (spec.faults?.secureClients && !dualTls) problems.push('faults.secureClients: the ensemble has no TLS port beside the plain one');
    if (spec.faults && dualTls && !spec.faults.secureClients) problems.push('faults.secureClients: is missing (the ensemble has TLS ports beside the plain ones)');
    return problems;
  },
);

/** Every problem with a loaded spec, as "key: problem"; empty when it is usable. */
export function recordedSpecProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['the file does not hold a mapping of keys'];
  const d = RECORDED_SPEC(value, '');
  return d.ok ? [] : d.problems;
}

/** The decoded spec (config defaulted to {}); call after `recordedSpecProblems(value)` is empty. */
export function asSpec(value: unknown): EnsembleSpec {
  const d = RECORDED_SPEC(value, '');
  if (!d.ok) throw new Error(`asSpec: ${d.problems.join('; ')}`);
  return d.value;
}
