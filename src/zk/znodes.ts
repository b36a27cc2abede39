/**
 * ZooKeeper's rules for znode paths, ACLs and node kinds (pure). Checked against 3.8's
 * PathUtils.validatePath, ZooDefs.Perms and EphemeralType; what the server would refuse is
 * refused here first, so a seed file is judged before anything is written.
 */

/** ZooKeeper's own subtree: it cannot be deleted, and nothing zkpseudo dumps or seeds lies in it. */
export const RESERVED_ROOT = '/zookeeper';
/** Quota entries live here, as `/zookeeper/quota/<path>/zookeeper_limits` and `zookeeper_stats`. */
export const QUOTA_ROOT = '/zookeeper/quota';
export const QUOTA_LEAVES = ['zookeeper_limits', 'zookeeper_stats'] as const;

/** A sequential node's name ends with its parent's counter, written as 10 digits. */
export const SEQUENCE_SUFFIX = /\d{10}$/;

/**
 * Why `p` is not a path ZooKeeper accepts, or undefined. The server refuses (PathUtils, 3.8)
 * empty names, `.` and `..`, a trailing slash, NUL and control characters, and every UTF-16
 * unit from U+D800 to U+F8FF (so no character outside the Basic Multilingual Plane, such as
 * an emoji) and from U+FFF0 up.
 */
export function znodePathProblem(p: unknown): string | undefined {
  if (typeof p !== 'string' || p === '') return 'is not a path (it must start with /)';
  if (!p.startsWith('/')) return 'must start with /';
  if (p === '/') return undefined;
  if (p.endsWith('/')) return 'must not end with /';
  for (const name of p.slice(1).split('/')) {
    if (name === '') return 'has an empty name (//)';
    if (name === '.' || name === '..') return `has the relative name "${name}"`;
  }
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 0) return 'holds a NUL character';
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return `holds the control character U+${c.toString(16).padStart(4, '0').toUpperCase()}`;
    if ((c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) return 'holds a character ZooKeeper refuses in paths (outside the Basic Multilingual Plane, private use, or U+FFF0 and up)';
  }
  return undefined;
}

/** True for /zookeeper and everything under it. */
export function isReserved(p: string): boolean {
  return p === RESERVED_ROOT || p.startsWith(`${RESERVED_ROOT}/`);
}

/** The parent of a path other than `/`. */
export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** True when `p` is `root` or lies under it. */
export function isAtOrUnder(p: string, root: string): boolean {
  return root === '/' || p === root || p.startsWith(`${root}/`);
}

/** Every proper ancestor of `p`, nearest last, `/` excluded: `/a/b/c` → `/a`, `/a/b`. */
export function ancestorsOf(p: string): string[] {
  const out: string[] = [];
  for (let q = parentOf(p); q !== '/'; q = parentOf(q)) out.unshift(q);
  return out;
}

/** An access control entry as ZooKeeper stores it: `perms` is the bit set READ 1 … ADMIN 16. */
export interface AclEntry {
  scheme: string;
  id: string;
  perms: number;
}

/** world:anyone with every permission (0x1f), ZooKeeper's OPEN_ACL_UNSAFE. */
export const OPEN_ACL: readonly AclEntry[] = [{ scheme: 'world', id: 'anyone', perms: 0x1f }];

/** zkCli's letters, in its order: c CREATE 4, d DELETE 8, r READ 1, w WRITE 2, a ADMIN 16. */
const PERM_LETTERS: [string, number][] = [['c', 4], ['d', 8], ['r', 1], ['w', 2], ['a', 16]];

export function permLetters(perms: number): string {
  return PERM_LETTERS.filter(([, bit]) => perms & bit).map(([l]) => l).join('');
}

/** `scheme:id:perms`, as zkCli's setAcl takes it (`digest:alice:X1y…=:cdrwa`). */
export function formatAcl(a: AclEntry): string {
  return `${a.scheme}:${a.id}:${permLetters(a.perms)}`;
}

export function isOpenAcl(acl: readonly AclEntry[]): boolean {
  return acl.length === 1 && acl[0]!.scheme === 'world' && acl[0]!.id === 'anyone' && acl[0]!.perms === 0x1f;
}

/**
 * Parses `scheme:id:perms` (the id may hold colons, as a digest id does); returns the entry or
 * what is wrong with it. The ids of world, digest and ip are checked as the server would.
 */
export function parseAcl(text: unknown): AclEntry | string {
  if (typeof text !== 'string') return `${JSON.stringify(text)} is not an ACL like world:anyone:cdrwa`;
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first < 0 || first === last) return `"${text}" is not scheme:id:perms (like world:anyone:cdrwa or digest:alice:<digest>:r)`;
  const scheme = text.slice(0, first);
  const id = text.slice(first + 1, last);
  const letters = text.slice(last + 1);
  if (!/^[a-z][a-z0-9]*$/i.test(scheme)) return `"${text}": the scheme "${scheme}" is not a name like world, digest, ip, sasl or x509`;
  let perms = 0;
  for (const l of letters) {
    const bit = PERM_LETTERS.find(([c]) => c === l)?.[1];
    if (bit === undefined) return `"${text}": "${l}" is not a permission (use the letters c d r w a)`;
    if (perms & bit) return `"${text}": the permission "${l}" is given twice`;
    perms |= bit;
  }
  if (scheme === 'world' && id !== 'anyone') return `"${text}": the world scheme has the one id "anyone"`;
  if (scheme === 'digest' && !/^[^:]+:[A-Za-z0-9+/]{27}=$/.test(id)) {
    return `"${text}": a digest id is user:base64(sha1("user:password")), 28 characters after the colon (a dump writes it so; the password itself does not go here)`;
  }
  if (scheme === 'ip' && !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(id)) return `"${text}": an ip id is an address, optionally /bits`;
  return { scheme, id, perms };
}

export type NodeKind = 'persistent' | 'ephemeral' | 'container' | 'ttl';

const CONTAINER_OWNER = 0x8000000000000000n;
const TTL_MAX = 0xffffffffffn;

/** The longest TTL ZooKeeper stores (40 bits of milliseconds, about 34 years). */
export const MAX_TTL_MS = Number(TTL_MAX);

/**
 * What a node's stat.ephemeralOwner says about it (EphemeralType): 0 is a persistent node;
 * 0x8000000000000000 a container; a high byte of 0xff followed by two zero bytes a TTL node,
 * its TTL in the low 40 bits (a session id's high byte is its server's id, at most 254 when
 * TTLs are enabled); anything else the session owning an ephemeral node. Servers 3.5–3.9 show
 * clients 0 for containers and TTL nodes (DataNode.getClientEphemeralOwner), so through the
 * client protocol those read as persistent; the other two cases are decoded for completeness.
 */
export function kindOf(ephemeralOwner: Uint8Array): { kind: NodeKind; ttlMs?: number; session?: string } {
  const owner = Buffer.from(ephemeralOwner).readBigUInt64BE(0);
  if (owner === 0n) return { kind: 'persistent' };
  if (owner === CONTAINER_OWNER) return { kind: 'container' };
  if (owner >> 56n === 0xffn && ((owner >> 40n) & 0xffffn) === 0n) return { kind: 'ttl', ttlMs: Number(owner & TTL_MAX) };
  return { kind: 'ephemeral', session: `0x${owner.toString(16)}` };
}
