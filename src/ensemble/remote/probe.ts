/**
 * Asking any ensemble, by its connect string, what its servers are doing: only what the
 * four-letter words tell — `srvr` (role, zxid, version) and `conf` (the server's id, its peer
 * type, the whole membership) — for there is no process table to read (SPEC §16). Health
 * follows the same rules as for a local ensemble.
 */
import { sendFourLetterWord, type FourLetterTls } from '../../edge/fourlw.js';
import type { PeerType } from '../../options/types.js';
import type { ConnectString, ServerAddress } from '../../zk/connect-string.js';
import { parseConf, parseSrvr, type ConfReply, type MembershipLine } from '../../zk/state/fourlw.js';
import { assessHealth, type Health, type Role } from '../../zk/state/health.js';

/** One server as its answers describe it; the shape `status --connect --json` prints for each. */
export interface RemoteServerStatus {
  id: number;
  /** `host:port` it was asked at, or the client address the membership names for a server not asked. */
  address: string;
  peerType: PeerType;
  /** Its own mode; `looking` (answers, not serving); `down` (no answer); `unknown` (not asked, or srvr not whitelisted). */
  role: Role | 'unknown';
  zxid: string | null;
  version: string | null;
  connections: number | null;
  nodeCount: number | null;
  note?: string;
}

export interface RemoteStatus {
  connectString: string;
  servers: RemoteServerStatus[];
  health: Health;
}

/** What one address answered. */
interface Answer {
  at: ServerAddress;
  /** Asked over TLS. */
  tls: boolean;
  srvr: { text: string } | { error: Error };
  conf?: ConfReply;
}

function unreachable(err: Error, timeoutMs: number): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'nothing listens there';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'the host cannot be reached';
  if (/within \d+ ms/.test(err.message)) return `no answer within ${timeoutMs} ms`;
  return err.message;
}

async function ask(at: ServerAddress, timeoutMs: number, tls?: FourLetterTls): Promise<Answer> {
  const [srvr, conf] = await Promise.all([
    sendFourLetterWord(at.port, 'srvr', timeoutMs, at.host, tls).then((text) => ({ text }), (error: Error) => ({ error })),
    sendFourLetterWord(at.port, 'conf', timeoutMs, at.host, tls).then(parseConf, () => undefined),
  ]);
  return { at, tls: !!tls, srvr, conf };
}

/** The server's own state from its srvr answer, before ids are settled. */
function stateOf(a: Answer, timeoutMs: number): Omit<RemoteServerStatus, 'id' | 'peerType'> & { mode?: string } {
  const base = { address: a.at.address, zxid: null, version: null, connections: null, nodeCount: null };
  if ('error' in a.srvr) return { ...base, role: 'down', note: unreachable(a.srvr.error, timeoutMs) };
  const parsed = parseSrvr(a.srvr.text);
  if (parsed.serving) {
    const r = parsed.reply;
    return { ...base, role: r.mode, mode: r.mode, zxid: r.zxid, version: r.version, connections: r.connections, nodeCount: r.nodeCount };
  }
  if (parsed.reason === 'not currently serving requests') return { ...base, role: 'looking', note: parsed.reason };
  // A TLS-only port closes a plaintext connection without a word.
  if (!a.tls && a.srvr.text.trim() === '') return { ...base, role: 'unknown', note: 'closed the connection without an answer (a TLS port? then add --tls)' };
  // srvr not whitelisted, or something that does not answer like ZooKeeper: its state cannot be told.
  return { ...base, role: 'unknown', note: parsed.reason };
}

/** A row in the order `status --json` prints its fields. */
function row(id: number, peerType: PeerType, s: ReturnType<typeof stateOf>): RemoteServerStatus {
  return {
    id, address: s.address, peerType, role: s.role, zxid: s.zxid, version: s.version, connections: s.connections, nodeCount: s.nodeCount, note: s.note,
  };
}

const sameClient = (m: MembershipLine, at: ServerAddress) => m.client !== undefined && m.client.port === at.port && m.client.host.toLowerCase() === at.host;

/**
 * Asks every address at once (each within `timeoutMs`; over TLS with `tls`, for a TLS port). A server's id comes from its own
 * `conf`; failing that from the membership line naming its address; failing that from its
 * place in the connect string (said in its note). Members of the membership that were not
 * asked are listed as `unknown`: they count as voters that cannot be shown to serve.
 */
export async function probeRemote(cs: ConnectString, timeoutMs = 1000, tls?: FourLetterTls): Promise<RemoteStatus> {
  const answers = await Promise.all(cs.servers.map((at) => ask(at, timeoutMs, tls)));
  const membership = answers.find((a) => a.conf?.membership.length)?.conf?.membership ?? [];
  const member = (id: number) => membership.find((m) => m.id === id);
  const servers: RemoteServerStatus[] = [];
  const taken = new Set<number>();
  const pending: { a: Answer; index: number }[] = [];
  // Ids the servers state themselves (or the membership states for their address) first.
  answers.forEach((a, index) => {
    const id = a.conf?.serverId ?? membership.find((m) => sameClient(m, a.at))?.id;
    if (id === undefined) return pending.push({ a, index });
    const same = servers.find((s) => s.id === id);
    if (same) {
      same.note = [same.note, `also answers at ${a.at.address}`].filter(Boolean).join('; ');
      return;
    }
    taken.add(id);
    const s = stateOf(a, timeoutMs);
    servers.push(row(id, a.conf?.peerType ?? (member(id)?.observer || s.mode === 'observer' ? 'observer' : 'participant'), s));
  });
  for (const { a, index } of pending) {
    const free = (n: number) => !taken.has(n) && (!membership.length || member(n) !== undefined);
    const id = free(index + 1) ? index + 1 : membership.find((m) => !taken.has(m.id))?.id ?? Math.max(0, ...taken, cs.servers.length) + 1;
    taken.add(id);
    const s = stateOf(a, timeoutMs);
    servers.push(row(id, member(id)?.observer || s.mode === 'observer' ? 'observer' : 'participant', { ...s, note: [s.note, 'id from its place in --connect (conf did not answer)'].filter(Boolean).join('; ') }));
  }
  for (const m of membership) {
    if (taken.has(m.id)) continue;
    servers.push({
      id: m.id, address: m.client ? `${m.client.host}:${m.client.port}` : m.host, peerType: m.observer ? 'observer' : 'participant', role: 'unknown',
      zxid: null, version: null, connections: null, nodeCount: null, note: 'in the membership but not in the connect string: not asked',
    });
  }
  servers.sort((x, y) => x.id - y.id);
  const health = assessHealth(servers.map((s) => ({ id: s.id, peerType: s.peerType, role: s.role === 'unknown' ? 'down' : s.role })));
  return { connectString: cs.text, servers, health };
}
