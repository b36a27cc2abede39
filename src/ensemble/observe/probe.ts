/**
 * Asking every server what it is doing right now: the process table says which of the
 * ensemble's servers live, `srvr` says what each does, and the port's holder proves the answer
 * came from this ensemble's server and not another's on the same port (SPEC §11).
 */
import { sendFourLetterWord, type FourLetterTls } from '../../edge/fourlw.js';
import { fourLetterTls } from '../security/client.js';
import { readPidFile } from '../../edge/process/process.js';
import { listeningSockets, portHolder, socketInodes, type ServerProcess } from '../../edge/process/proctable.js';
import { parseSrvr } from '../../zk/state/fourlw.js';
import { serverFaults, type ServerFaults } from '../faults/links.js';
import { proxyPid, readFaultState } from '../faults/proxy-control.js';
import { assessHealth, type Health, type Role } from '../../zk/state/health.js';
import type { EnsembleSpec, Member, PeerType } from '../../options/types.js';
import { memberVersion } from '../../options/member-versions.js';
import { liveServers, liveServersFor, type LiveServer } from './identity.js';
import type { EnsemblePaths } from '../store/layout.js';

/** One server's state; the shape `status --json` prints for each server. */
export interface ServerStatus {
  id: number;
  peerType: PeerType;
  /** leader, follower, observer, standalone, read-only; looking (up, not serving); starting (no answer yet); paused; down. */
  role: Role | 'starting' | 'paused';
  clientPort: number;
  /** The TLS client port, on an ensemble with TLS beside the plain port (with --tls-only, `clientPort` is the TLS port). */
  secureClientPort?: number;
  quorumPort: number;
  electionPort: number;
  /** The live server process, or null when none (a stale pid file is reported in `note`). */
  pid: number | null;
  zxid: string | null;
  /** What the server says it runs (srvr's `Zookeeper version`), while it answers. */
  version: string | null;
  /** The release its copy runs, as recorded (a mixed ensemble, half-way through `upgrade`, has two). */
  zkVersion: string;
  connections: number | null;
  nodeCount: number | null;
  /** Why a server is not serving, or what was odd (a stale pid file, a port held by another process). */
  note?: string;
  /** On an ensemble created with faults: the links cut or slowed (see `zkpseudo isolate`). */
  faults?: ServerFaults;
}

export interface EnsembleStatus {
  name: string;
  zkVersion: string;
  connectString: string;
  servers: ServerStatus[];
  health: Health;
  /** On an ensemble created with faults: its fault proxy, which every link goes through. */
  faultProxy?: { running: boolean; pid: number | null };
}

/**
 * Health as a client sees it when the fault proxy is not running: every link of the ensemble
 * goes through it, so a quorum the servers still report is not one clients can use.
 */
export function withoutProxy(health: Health): Health {
  const state = health.state === 'healthy' ? 'degraded' : health.state;
  const summary = `${health.summary.replace(/^healthy/, state)}; the fault proxy is not running (\`zkpseudo up\` restarts it)`;
  return { ...health, state, summary };
}

/**
 * `127.0.0.1:2181,127.0.0.1:2182,…` over every server, observers included: the plain client
 * ports (on a --tls-only ensemble, its only client ports, which speak TLS).
 */
export function connectString(spec: EnsembleSpec): string {
  // With fault proxies, clients go through them, so `isolate-clients` and client delays apply.
  return spec.members.map((m) => `127.0.0.1:${spec.faults?.clients[String(m.id)] ?? m.ports.client}`).join(',');
}

type Listening = Map<number, Set<string>> | undefined;

/** Whether a `conf` reply names this dataDir; undefined when the reply does not say (not serving, not whitelisted). */
function confSays(conf: string, dataDir: string): boolean | undefined {
  const m = /^dataDir=(.*)$/m.exec(conf);
  if (!m) return undefined;
  const said = m[1]!.trim();
  return said === dataDir || said === `${dataDir}/version-2`;
}

/** Whether `pid` holds the listening socket on `port`; undefined when the OS cannot tell. */
async function holdsPort(pid: number, port: number, listening: Listening): Promise<boolean | undefined> {
  if (!listening) return undefined;
  const wanted = listening.get(port);
  if (!wanted?.size) return false;
  const mine = await socketInodes(pid);
  return [...wanted].some((i) => mine.has(i));
}

async function describeHolder(port: number, listening: Listening): Promise<string> {
  const pid = await portHolder(port, listening);
  return pid ? `port ${port} answers for another process (pid ${pid})` : `port ${port} answers for another process`;
}

/**
 * Probes one server. A server that does not answer is a state, not an error; a process table
 * that cannot be read is an error (a ProcessTableError), never taken for "down".
 */
export async function probeServer(paths: EnsemblePaths, member: Member, zkVersion: string, live: LiveServer | undefined, listening: () => Promise<Listening>, timeoutMs = 1000, secure?: FourLetterTls): Promise<ServerStatus> {
  const sp = paths.server(member.id);
  // `secure`: the server's only client port speaks TLS (--tls-only), so the words go over TLS.
  const ask = (word: string) => sendFourLetterWord(member.ports.client, word, timeoutMs, '127.0.0.1', secure);
  const [pidFile, srvr, conf] = await Promise.all([
    live ? undefined : readPidFile(sp.pidFile, sp.config),
    ask('srvr').then((text) => ({ text }), (err: Error) => ({ error: err })),
    // `conf` names the answering server's dataDir: proof of whose server it is, for one round trip.
    live ? ask('conf').catch(() => '') : Promise.resolve(''),
  ]);
  const base: ServerStatus = {
    id: member.id,
    peerType: member.peerType,
    role: 'down',
    clientPort: member.ports.client,
    ...(member.ports.secureClient ? { secureClientPort: member.ports.secureClient } : {}),
    quorumPort: member.ports.quorum,
    electionPort: member.ports.election,
    pid: live?.pid ?? null,
    zxid: null,
    version: null,
    zkVersion,
    connections: null,
    nodeCount: null,
    ...(pidFile?.state === 'stale' ? { note: `stale pid file: ${pidFile.why}` } : {}),
  };
  if (live?.state === 'T' || live?.state === 't') return { ...base, role: 'paused', note: 'stopped by SIGSTOP (`zkpseudo resume` continues it)' };
  const answered = 'text' in srvr;
  // An answer counts only if it came from this server's own process: after a `down`, another
  // ensemble may serve on the same ports.
  const ours = answered && live ? (confSays(conf, sp.dataDir) ?? (await holdsPort(live.pid, member.ports.client, await listening()))) : false;
  if (answered && live && ours !== false) {
    const parsed = parseSrvr(srvr.text);
    if (parsed.serving) {
      const r = parsed.reply;
      return { ...base, role: r.mode, zxid: r.zxid, version: r.version, connections: r.connections, nodeCount: r.nodeCount };
    }
    return { ...base, role: 'looking', note: parsed.reason };
  }
  if (answered) {
    const note = await describeHolder(member.ports.client, await listening());
    return live ? { ...base, role: 'starting', note } : { ...base, note };
  }
  return live ? { ...base, role: 'starting', note: 'not answering yet' } : base;
}

/** Status of every server and the quorum's health. Pass `table` to reuse one read of the process table. */
export async function probeEnsemble(paths: EnsemblePaths, spec: EnsembleSpec, timeoutMs = 1000, table?: ServerProcess[]): Promise<EnsembleStatus> {
  const live = table ? await liveServers(paths, table) : await liveServersFor(paths, spec.members.map((m) => m.id));
  // The socket table is read only if some answer cannot be placed otherwise, and then once.
  let sockets: Promise<Listening> | undefined;
  const listening = () => (sockets ??= listeningSockets());
  const secure = await fourLetterTls(paths, spec);
  const probed = await Promise.all(spec.members.map((m) => probeServer(paths, m, memberVersion(spec, m), live.get(m.id), listening, timeoutMs, secure)));
  const state = spec.faults ? await readFaultState(paths) : undefined;
  const proxy = spec.faults ? ((await proxyPid(paths)) ?? null) : undefined;
  const ids = spec.members.map((m) => m.id);
  const servers = state ? probed.map((s) => ({ ...s, faults: serverFaults(state, s.id, ids) })) : probed;
  const health = assessHealth(
    servers.map((s) => ({ id: s.id, peerType: s.peerType, role: s.role === 'starting' ? 'looking' : s.role === 'paused' ? 'down' : s.role })),
  );
  const base = { name: spec.name, zkVersion: spec.zkVersion, connectString: connectString(spec), servers };
  if (proxy === undefined) return { ...base, health };
  return { ...base, health: proxy ? health : withoutProxy(health), faultProxy: { running: proxy !== null, pid: proxy } };
}
