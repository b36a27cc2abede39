/**
 * What of an ensemble carries over to the official `zookeeper` image, whichever engine runs it
 * (pure). The spec as written (an ensemble file, `up()`'s options) or as recorded (an existing
 * ensemble's ensemble.yaml) becomes one ExportModel; what cannot carry over is named, each with
 * the reason; and what no engine could run is refused here, before anything is rendered, so a
 * bad spec can never come out as a file an engine rejects.
 */
import { UsageError } from '../errors.js';
import { checkOptions, checkShape, type Issue } from '../options/options.js';
import { asSpec, recordedSpecProblems } from '../options/recorded.js';
import type { EnsembleOptions, EnsembleSpec, PeerType, SecuritySpec } from '../options/types.js';
import { extraSettings, fourLetterWords, tunableSettings } from '../zk/config/config.js';
import { DEFAULT_TUNABLES, FOUR_LETTER_WHITELIST_KEY } from '../zk/config/keys.js';
import { blockPorts, blockSpan, classicPorts, CLASSIC_SECURE_BASE } from '../zk/config/ports.js';
import { securitySupport } from '../zk/config/security-cfg.js';
import { versionFacts } from '../zk/version-facts.js';
import { atLeast, DEFAULT_ZK_VERSION, parseZkVersion, type ZkVersion } from '../zk/versions.js';

export type ExportTarget = 'compose' | 'kubernetes';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['compose', 'kubernetes'];

/**
 * A tick below this is a loopback setting: across a real network a follower that misses
 * `syncLimit` ticks is dropped, and a session of 2 ticks expires in a GC pause. Such a tick is
 * not carried over; the export uses ZooKeeper's (and zkpseudo's) default instead.
 */
export const MIN_NETWORK_TICK_MS = 1000;
export const DEFAULT_TICK_MS = Number(DEFAULT_TUNABLES.tickTime);

/** The zoo.cfg keys whose values the image writes as given (no escaping), so they must be whole numbers. */
const NUMERIC_KEYS = new Set(['tickTime', 'initLimit', 'syncLimit', 'maxClientCnxns', 'autopurge.snapRetainCount', 'autopurge.purgeInterval']);

export interface ExportServer {
  /** The server's myid, as in the local ensemble: voters 1…V, then observers. */
  id: number;
  peerType: PeerType;
}

/** Everything an engine's rendering needs, decided once. */
export interface ExportModel {
  /** The ensemble's name, as zkpseudo knows it. */
  name: string;
  /** The image tag. */
  version: ZkVersion;
  servers: ExportServer[];
  /** Java heap per server, MiB. */
  heapMb: number;
  /**
   * The zoo.cfg settings every server shares, unescaped, in zoo.cfg's order: the tunables,
   * the four-letter-word whitelist, then the user's extra keys — what zkpseudo renders, minus
   * what each deployment decides for itself (paths, addresses, ports, server lines).
   */
  settings: [key: string, value: string][];
  /** The AdminServer is on (zkpseudo's `adminPort`); it listens on the image's port 8080. */
  adminServer: boolean;
  /** Client ports the local ensemble uses (or would use), in server order: what Compose publishes on its host (with TLS only, the TLS ports). */
  localClientPorts: number[];
  /**
   * TLS and SASL as the ensemble has them (`up --tls/--tls-only/--tls-client-auth/--sasl`, or a
   * recorded spec's `security`): the export configures them with key material the user provides
   * as Secrets (never this machine's keys).
   */
  security?: SecuritySpec;
  /** With TLS beside the plain port: the local TLS client ports, in server order (what Compose publishes for TLS). */
  localSecureClientPorts: number[];
  /** Settings that do not carry over, each a sentence: the setting, what happens instead, why. */
  notCarried: string[];
  /** What the export decided where the spec did not say (an unpinned version), each a sentence. */
  chosen: string[];
  /** Settings given that only mean something to a local `up` (named in the output's comment). */
  localOnly: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An existing ensemble's recorded spec (it has `members`) rather than options as written. */
function isRecorded(input: EnsembleOptions | EnsembleSpec): input is EnsembleSpec {
  return isObject(input) && 'members' in input;
}

/** One UsageError naming every problem, before anything is rendered. */
function refuse(issues: Issue[]): never {
  const lines = issues.map((i) => `${i.key}: ${i.message}`);
  throw new UsageError(
    lines.length === 1 ? `Cannot export this ensemble: ${lines[0]}.` : `Cannot export this ensemble:\n  ${lines.join('\n  ')}`,
    'Fix the ensemble file (or options) named above; `zkpseudo export --help` says what carries over.',
  );
}

/** The facts both input shapes reduce to, before export rules apply. */
interface Common {
  name: string;
  version: ZkVersion;
  versionPinned: boolean;
  voters: number;
  observers: number;
  heapMb: number;
  config: Record<string, string>;
  tickMs?: number;
  faults: boolean;
  owner?: number;
  adminPort: boolean;
  distNote?: string;
  localClientPorts: number[];
  localSecureClientPorts: number[];
  security?: SecuritySpec;
  localOnly: string[];
}

function fromOptions(opts: EnsembleOptions): Common {
  const shape = checkShape(opts);
  if (shape.length) refuse(shape);
  // No environment: what the file or the options say, never this shell's ZKPSEUDO_* settings.
  const { request, issues } = checkOptions(opts, {});
  if (!request) refuse(issues);
  const total = request.servers + request.observers;
  const ports = request.ports;
  const security = request.security;
  const dualTls = !!security?.tls && !security.tls.only;
  // As `up` picks them: TLS ports follow the block (or 2281+i beside the classic ports).
  const withAdmin = request.adminPort === 'auto' && typeof ports === 'number';
  // How `up` finds ZooKeeper and waits for it; an engine pulls the image and runs it.
  const localOnly = (['ports', 'mirror', 'timeout', 'offline', 'wait', 'home'] as const).filter((k) => request.explicit.has(k));
  return {
    name: request.name,
    version: request.zkVersion ?? parseZkVersion(DEFAULT_ZK_VERSION)!,
    versionPinned: request.zkVersion !== undefined,
    voters: request.servers,
    observers: request.observers,
    heapMb: request.heapMb,
    config: request.config,
    tickMs: request.tickMs,
    faults: request.faults,
    owner: request.owner,
    adminPort: request.adminPort !== undefined,
    distNote: request.dist === undefined ? undefined : `dist: ${request.dist}`,
    // `auto` has no ports until `up` picks a block: the classic ones stand in.
    localClientPorts: (typeof ports === 'number' ? blockPorts(ports, total) : classicPorts(total)).map((p) => p.client),
    localSecureClientPorts: dualTls ? Array.from({ length: total }, (_, i) => (typeof ports === 'number' ? ports + blockSpan(total, withAdmin) : CLASSIC_SECURE_BASE) + i) : [],
    ...(security ? { security } : {}),
    localOnly,
  };
}

function fromSpec(value: EnsembleSpec, owner?: number): Common {
  const problems = recordedSpecProblems(value);
  if (problems.length) refuse(problems.map((p) => ({ key: p.split(':')[0]!, message: p.slice(p.indexOf(':') + 1).trim() })));
  const spec = asSpec(value);
  const voters = spec.members.filter((m) => m.peerType === 'participant').length;
  const observersAfterVoters = spec.members.every((m, i) => (m.peerType === 'participant') === i < voters);
  if (!observersAfterVoters) refuse([{ key: 'members', message: 'observers must come after every voter, as zkpseudo numbers them' }]);
  return {
    name: spec.name,
    version: parseZkVersion(spec.zkVersion)!,
    versionPinned: true,
    voters,
    observers: spec.members.length - voters,
    heapMb: spec.heapMb,
    config: spec.config,
    tickMs: spec.tickMs,
    faults: !!spec.faults,
    owner,
    adminPort: spec.members.some((m) => m.ports.admin !== undefined),
    distNote: spec.dist.source === 'download' ? undefined : `dist: ${spec.dist.source} ${spec.dist.origin}`,
    localClientPorts: spec.members.map((m) => m.ports.client),
    localSecureClientPorts: spec.members.flatMap((m) => (m.ports.secureClient !== undefined ? [m.ports.secureClient] : [])),
    ...(spec.security ? { security: spec.security } : {}),
    localOnly: spec.portScheme === 'classic' ? [] : ['ports'],
  };
}

/**
 * Why the official image's tag for release `v` cannot run this export, if it cannot. The
 * image's environment grew over time: 3.4's takes ZOO_PORT and server lines without a client
 * address (another contract, and 3.4 is past its end of life); ZOO_4LW_COMMANDS_WHITELIST,
 * ZOO_ADMINSERVER_ENABLED and netcat (which the health checks use) came with the 3.5.5 image,
 * and ZOO_CFG_EXTRA — without which extra keys would be dropped silently — with the 3.5.8 and
 * 3.6.1 images; every tag of 3.7 and later has all of it.
 */
function imageTagProblem(v: ZkVersion): string | undefined {
  if (!atLeast(v, 3, 5, 0)) return `${v.text} is older than 3.5.0; the official image's 3.4 tags take another environment, and 3.4 is past its end of life`;
  const line = `${v.major}.${v.minor}`;
  const first = line === '3.5' ? [3, 5, 8] : line === '3.6' ? [3, 6, 1] : undefined;
  if (first && !atLeast(v, first[0]!, first[1]!, first[2]!)) {
    return `the official image's ${v.text} tag predates ZOO_CFG_EXTRA, which this export needs (it came with ${first.join('.')}); pin zkVersion ${first.join('.')} or later`;
  }
  return undefined;
}

/**
 * The export model of `input`; `owner` is the pid of a live owner lease, when the caller knows
 * of one (a recorded spec does not carry it). Throws a UsageError naming every problem.
 */
export function exportModel(input: EnsembleOptions | EnsembleSpec, owner?: number): ExportModel {
  if (!isObject(input)) refuse([{ key: 'spec', message: 'must be an ensemble spec or options object such as { servers: 3 }' }]);
  const c = isRecorded(input) ? fromSpec(input, owner) : fromOptions(input);
  const issues: Issue[] = [];
  const imageProblem = imageTagProblem(c.version);
  if (imageProblem) issues.push({ key: 'zkVersion', message: imageProblem });
  const support = c.security ? securitySupport(c.security, versionFacts(c.version), c.version.text) : undefined;
  if (support?.refusal) issues.push({ key: 'tls', message: support.refusal });

  const notCarried: string[] = [];
  // The tick comes from `tick` or from config.tickTime (never both: options refuse that).
  const config = { ...c.config };
  let tickMs = c.tickMs;
  const tick = tickMs ?? (config.tickTime !== undefined ? Number(config.tickTime) : undefined);
  if (tick !== undefined && Number.isInteger(tick) && tick < MIN_NETWORK_TICK_MS) {
    notCarried.push(`tick ${tick}ms: a loopback setting (a follower that misses syncLimit ticks is dropped, a session of 2 ticks expires in a GC pause); exported with ZooKeeper's default tickTime ${DEFAULT_TICK_MS}ms instead, initLimit and syncLimit still in ticks`);
    tickMs = undefined;
    delete config.tickTime;
  }
  const settings: [string, string][] = [
    ...tunableSettings(config, tickMs),
    [FOUR_LETTER_WHITELIST_KEY, fourLetterWords(config)],
    ...extraSettings(config),
  ];
  for (const [key, value] of settings) {
    if (NUMERIC_KEYS.has(key) && !/^\d{1,9}$/.test(value)) issues.push({ key: `config.${key}`, message: `"${value}" is not a whole number, which ZooKeeper needs here` });
  }
  if (issues.length) refuse(issues);

  if (c.faults) notCarried.push('faults: the fault proxies (isolate, partition, isolate-clients, delay, heal) exist only around a local ensemble; cut and slow links with the engine\'s own tools instead');
  if (c.owner !== undefined) notCarried.push(`owner ${c.owner}: the servers' life is not tied to a process there; they run until \`docker compose down\` or \`kubectl delete\``);
  if (c.adminPort) notCarried.push('adminPort: the AdminServer is on, but on the image\'s port 8080 in each container rather than the local port numbers');
  // What the release cannot enforce of the security asked for (SASL before 3.5.9), as `up` says it.
  for (const n of support?.notices ?? []) notCarried.push(`sasl: ${n.replace(/\.$/, '')}`);
  if (c.security) notCarried.push('security keys and users: this machine\'s generated CA, keys and SASL passwords are never exported; the servers read key stores and a JAAS file you provide as secrets (named in this file\'s comments)');
  if (c.distNote) notCarried.push(`${c.distNote}: the image brings Apache's own release ${c.version.text}, not this build`);
  const chosen = c.versionPinned ? [] : [`zkVersion: not pinned; exported as ${c.version.text}, the release \`up\` asks for (pin zkVersion to export another)`];

  return {
    name: c.name,
    version: c.version,
    servers: Array.from({ length: c.voters + c.observers }, (_, i) => ({ id: i + 1, peerType: i < c.voters ? 'participant' : 'observer' })),
    heapMb: c.heapMb,
    settings,
    adminServer: c.adminPort,
    localClientPorts: c.localClientPorts,
    localSecureClientPorts: c.localSecureClientPorts,
    ...(c.security ? { security: c.security } : {}),
    notCarried,
    chosen,
    localOnly: c.localOnly,
  };
}
