/** Asking every server what it is doing right now: pid file + `srvr`, all in parallel. */
import { sendFourLetterWord } from '../edge/fourlw.js';
import { readServerPid } from '../edge/process.js';
import { parseSrvr } from '../zk/fourlw.js';
import { assessHealth, type Health, type Role } from '../zk/health.js';
import type { EnsembleSpec, Member, PeerType } from '../spec/types.js';
import { ensemblePaths } from './layout.js';

/** One server's state; the shape `status --json` prints for each server. */
export interface ServerStatus {
  id: number;
  peerType: PeerType;
  /** leader, follower, observer, standalone, read-only; looking (up, not serving); starting (no answer yet); down. */
  role: Role | 'starting';
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  /** The live server process, or null when none (a stale pid file is reported in `note`). */
  pid: number | null;
  zxid: string | null;
  version: string | null;
  connections: number | null;
  nodeCount: number | null;
  /** Why a server is not serving, or what was odd (a stale pid file). */
  note?: string;
}

export interface EnsembleStatus {
  name: string;
  zkVersion: string;
  connectString: string;
  servers: ServerStatus[];
  health: Health;
}

/** `127.0.0.1:2181,127.0.0.1:2182,…` over every server, observers included. */
export function connectString(spec: EnsembleSpec): string {
  return spec.members.map((m) => `127.0.0.1:${m.ports.client}`).join(',');
}

/** Probes one server; never throws (a server that does not answer is a state, not an error). */
export async function probeServer(home: string, spec: EnsembleSpec, member: Member, timeoutMs = 1000): Promise<ServerStatus> {
  const paths = ensemblePaths(home, spec.name).server(member.id);
  const [pidState, srvr] = await Promise.all([
    readServerPid(paths.pidFile, paths.config),
    sendFourLetterWord(member.ports.client, 'srvr', timeoutMs).then(
      (text) => ({ text }),
      (err: Error) => ({ error: err }),
    ),
  ]);
  const base: ServerStatus = {
    id: member.id,
    peerType: member.peerType,
    role: 'down',
    clientPort: member.ports.client,
    quorumPort: member.ports.quorum,
    electionPort: member.ports.election,
    pid: pidState.state === 'running' ? pidState.pid : null,
    zxid: null,
    version: null,
    connections: null,
    nodeCount: null,
    ...(pidState.state === 'stale' ? { note: `stale pid file: ${pidState.why}` } : {}),
  };
  if ('text' in srvr) {
    const parsed = parseSrvr(srvr.text);
    if (parsed.serving) {
      const r = parsed.reply;
      return { ...base, role: r.mode, zxid: r.zxid, version: r.version, connections: r.connections, nodeCount: r.nodeCount };
    }
    return { ...base, role: 'looking', note: parsed.reason };
  }
  // Something answers on the port only if the server is up; otherwise the process tells.
  return pidState.state === 'running' ? { ...base, role: 'starting', note: 'not answering yet' } : base;
}

/** Status of every server and the quorum's health. */
export async function probeEnsemble(home: string, spec: EnsembleSpec, timeoutMs = 1000): Promise<EnsembleStatus> {
  const servers = await Promise.all(spec.members.map((m) => probeServer(home, spec, m, timeoutMs)));
  const health = assessHealth(
    servers.map((s) => ({ id: s.id, peerType: s.peerType, role: s.role === 'starting' ? 'looking' : s.role })),
  );
  return { name: spec.name, zkVersion: spec.zkVersion, connectString: connectString(spec), servers, health };
}
