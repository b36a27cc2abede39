/**
 * Network faults between servers, as data (pure). Every server-to-server link and each
 * server's client traffic runs through a loopback proxy (faults/proxy.ts); a FaultState
 * says which links are cut and which are slowed, and the proxy applies it.
 */
import type { FaultPorts } from '../../options/types.js';
import { int, list, num, object, record, str, type Decoder } from '../../edge/fs/decode.js';

/** `i-j`: server i's connections to server j. */
export const linkKey = (from: number, to: number) => `${from}-${to}`;

/** The proxy ports server `self` dials for each peer (zoo.cfg's `dials`): its own link to that peer. */
export function proxyDials(faults: FaultPorts, self: number): Record<number, { quorum: number; election: number }> {
  const dials: Record<number, { quorum: number; election: number }> = {};
  for (const [key, ports] of Object.entries(faults.links)) {
    const [from, to] = key.split('-').map(Number) as [number, number];
    if (from === self) dials[to] = ports;
  }
  return dials;
}
/** The unordered pair, for cuts and delays that apply both ways. */
export const pairKey = (a: number, b: number) => (a < b ? `${a}-${b}` : `${b}-${a}`);

/** How many proxy ports an ensemble of `n` servers needs: two per ordered pair, one per client side (two with a TLS port beside the plain one). */
export function faultPortCount(n: number, secureClients = false): number {
  return 2 * n * (n - 1) + n + (secureClients ? n : 0);
}

/** Proxy ports for `n` servers, numbered from `base` in a fixed order (pure: same input, same ports). */
export function faultPorts(base: number, n: number, secureClients = false): FaultPorts {
  let next = base;
  const links: FaultPorts['links'] = {};
  for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) if (i !== j) links[linkKey(i, j)] = { quorum: next++, election: next++ };
  const clients: FaultPorts['clients'] = {};
  for (let i = 1; i <= n; i++) clients[String(i)] = next++;
  if (!secureClients) return { links, clients };
  const secure: Record<string, number> = {};
  for (let i = 1; i <= n; i++) secure[String(i)] = next++;
  return { links, clients, secureClients: secure };
}

export interface Delay {
  ms: number;
  jitterMs: number;
}

/** The faults in force. Cut and delayed server links are unordered pairs (`pairKey`). */
export interface FaultState {
  /** Bumped on every change, so the proxy can say which state it has applied. */
  generation: number;
  cut: string[];
  /** Servers whose client proxy refuses and drops connections. */
  clientsCut: number[];
  /** `pairKey(a, b)` for server links, `clients-i` for a server's client link. */
  delays: Record<string, Delay>;
}

export const NO_FAULTS: FaultState = { generation: 0, cut: [], clientsCut: [], delays: {} };

const DAY_MS = 86_400_000;

/** faults.json as setFaults writes it, strictly: server pairs, ids and delays of the shapes above. */
export const FAULT_STATE: Decoder<FaultState> = object<FaultState>({
  generation: int(0, Number.MAX_SAFE_INTEGER, 'a generation number'),
  cut: list(str('a pair of server ids like "1-2"', /^\d{1,3}-\d{1,3}$/), { max: 1000, what: 'a list of cut server pairs' }),
  clientsCut: list(int(1, 999, 'a server id'), { max: 1000, what: 'a list of server ids' }),
  delays: record(/^(\d{1,3}-\d{1,3}|clients-\d{1,3})$/, 'a server pair or clients-ID', object<Delay>({ ms: num(0, DAY_MS, 'a delay in ms'), jitterMs: num(0, DAY_MS, 'a jitter in ms') }), 1000),
});

const bump = (s: FaultState, change: Partial<FaultState>): FaultState => ({ ...s, ...change, generation: s.generation + 1 });

/** Cuts every link between `id` and the other servers. */
export function isolate(s: FaultState, id: number, ids: number[]): FaultState {
  const cut = new Set(s.cut);
  for (const other of ids) if (other !== id) cut.add(pairKey(id, other));
  return bump(s, { cut: [...cut].sort() });
}

/**
 * Splits the servers into groups that cannot reach each other: every link between two groups
 * is cut. Each server must be in exactly one group; returns a sentence when they are not.
 */
export function partition(s: FaultState, groups: number[][], ids: number[]): FaultState | string {
  const seen = groups.flat();
  const dup = seen.find((id, i) => seen.indexOf(id) !== i);
  if (dup !== undefined) return `server ${dup} is in more than one group`;
  const unknown = seen.find((id) => !ids.includes(id));
  if (unknown !== undefined) return `there is no server ${unknown}`;
  const missing = ids.filter((id) => !seen.includes(id));
  if (missing.length) return `server${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} in no group`;
  if (groups.length < 2) return 'a partition needs at least two groups';
  const cut = new Set(s.cut);
  for (let g = 0; g < groups.length; g++) for (let h = g + 1; h < groups.length; h++) for (const a of groups[g]!) for (const b of groups[h]!) cut.add(pairKey(a, b));
  return bump(s, { cut: [...cut].sort() });
}

export function isolateClients(s: FaultState, id: number): FaultState {
  return bump(s, { clientsCut: [...new Set([...s.clientsCut, id])].sort((a, b) => a - b) });
}

/** Slows the link between two servers (both ways), or between a server and its clients (`to` = "clients"). */
export function delay(s: FaultState, from: number, to: number | 'clients', d: Delay): FaultState {
  const key = to === 'clients' ? `clients-${from}` : pairKey(from, to);
  return bump(s, { delays: { ...s.delays, [key]: d } });
}

export function heal(s: FaultState): FaultState {
  return bump(s, { cut: [], clientsCut: [], delays: {} });
}

export const isCut = (s: FaultState, a: number, b: number) => s.cut.includes(pairKey(a, b));

/** One server's faults, as `status --json` shows them. */
export interface ServerFaults {
  /** Servers it cannot reach (its links to them are cut). */
  cutFrom: number[];
  /** True when its link to every other server is cut. */
  isolated: boolean;
  clientsCut: boolean;
  /** Delays on its links: `{ "2": { ms, jitterMs }, "clients": … }`. */
  delays: Record<string, Delay>;
}

export function serverFaults(s: FaultState, id: number, ids: number[]): ServerFaults {
  const others = ids.filter((o) => o !== id);
  const cutFrom = others.filter((o) => isCut(s, id, o));
  const delays: Record<string, Delay> = {};
  for (const o of others) { const d = s.delays[pairKey(id, o)]; if (d) delays[String(o)] = d; }
  const cd = s.delays[`clients-${id}`];
  if (cd) delays.clients = cd;
  return { cutFrom, isolated: others.length > 0 && cutFrom.length === others.length, clientsCut: s.clientsCut.includes(id), delays };
}

/** Parses "1,2" → [1, 2]; a sentence when it is not a list of server ids. */
export function parseGroup(text: string): number[] | string {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length || parts.some((p) => !/^\d{1,3}$/.test(p))) return `"${text}" is not a group of server ids like 1,2`;
  return parts.map(Number);
}
