/** Parsing ZooKeeper's four-letter-word replies (pure). */

/** What ZooKeeper answers to srvr/stat/mntr/conf while it is not part of a working quorum. */
export const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests';

export type ServerMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only';

export interface SrvrReply {
  version: string;
  mode: ServerMode;
  /** Last transaction id, as ZooKeeper prints it ("0x100000002"). */
  zxid: string;
  connections: number;
  outstanding: number;
  nodeCount: number;
  latency: { min: number; avg: number; max: number };
  received: number;
  sent: number;
}

export type SrvrResult = { serving: true; reply: SrvrReply } | { serving: false; reason: string };

const MODES = new Set<string>(['leader', 'follower', 'observer', 'standalone', 'read-only']);

function fields(text: string, separator: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = separator.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1].trim(), m[2].trim());
  }
  return out;
}

/**
 * Parses a `srvr` reply. A server that is up but not in a working quorum answers a fixed
 * sentence instead: that is `serving: false`, not an error.
 */
export function parseSrvr(text: string): SrvrResult {
  if (text.includes(NOT_SERVING)) return { serving: false, reason: 'not currently serving requests' };
  if (/is not executed because it is not in the whitelist/.test(text)) {
    return { serving: false, reason: 'srvr is not in the 4lw whitelist' };
  }
  const f = fields(text, /^([^:]+):\s*(.*)$/);
  const mode = f.get('Mode');
  if (!mode || !MODES.has(mode)) return { serving: false, reason: `unexpected srvr reply: ${text.slice(0, 80).trim() || '(empty)'}` };
  const [min = 0, avg = 0, max = 0] = (f.get('Latency min/avg/max') ?? '0/0/0').split('/').map(Number);
  const num = (k: string) => Number(f.get(k) ?? 0);
  return {
    serving: true,
    reply: {
      version: (f.get('Zookeeper version') ?? '').split(',')[0]?.trim() ?? '',
      mode: mode as ServerMode,
      zxid: f.get('Zxid') ?? '',
      connections: num('Connections'),
      outstanding: num('Outstanding'),
      nodeCount: num('Node count'),
      latency: { min, avg, max },
      received: num('Received'),
      sent: num('Sent'),
    },
  };
}

/** Parses a `mntr` reply (`zk_key<TAB>value` lines) into a map; empty when not serving. */
export function parseMntr(text: string): Record<string, string> {
  if (text.includes(NOT_SERVING)) return {};
  return Object.fromEntries(fields(text, /^(zk_[A-Za-z0-9_]+)\t(.*)$/));
}

/** One `server.N=…` line of the membership `conf` lists. */
export interface MembershipLine {
  id: number;
  host: string;
  observer: boolean;
  /** The client address the line names (3.5+: `;[host:]port`), when it names one. */
  client?: { host: string; port: number };
}

export interface ConfReply {
  /** This server's myid. */
  serverId?: number;
  /** How this server takes part (conf prints the learner type's ordinal: 0 participant, 1 observer). */
  peerType?: 'participant' | 'observer';
  /** Every server of the ensemble, as this server knows it (empty on a standalone server). */
  membership: MembershipLine[];
}

/**
 * Parses a `conf` reply; undefined when it holds no configuration (not serving, not
 * whitelisted, or anything else).
 */
export function parseConf(text: string): ConfReply | undefined {
  if (text.includes(NOT_SERVING) || !/^clientPort=/m.test(text)) return undefined;
  const f = fields(text, /^([^=\s]+)=(.*)$/);
  const id = Number(f.get('serverId'));
  const peer = f.get('peerType');
  const membership: MembershipLine[] = [];
  for (const m of text.matchAll(/^server\.(\d+)=([^:;\s]+):\d+:\d+(?::(participant|observer))?(?:;(?:([^;:\s]+):)?(\d+))?\s*$/gm)) {
    membership.push({
      id: Number(m[1]),
      host: m[2]!,
      observer: m[3] === 'observer',
      client: m[5] ? { host: m[4] ?? '0.0.0.0', port: Number(m[5]) } : undefined,
    });
  }
  return {
    serverId: Number.isInteger(id) && id > 0 ? id : undefined,
    peerType: peer === '0' ? 'participant' : peer === '1' ? 'observer' : undefined,
    membership,
  };
}
