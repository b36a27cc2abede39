/**
 * The ZooKeeper client protocol's records and numbers (pure), as zookeeper.jute and ZooDefs
 * define them: op codes, error codes, Stat, ACL, the requests zkpseudo sends and the replies
 * it reads. Written from the protocol's description, not from any client's code.
 */
import { JuteReader, JuteWriter } from './jute.js';

export const OpCode = {
  notification: 0, create: 1, delete: 2, exists: 3, getData: 4, setData: 5, getACL: 6, setACL: 7, getChildren: 8,
  sync: 9, ping: 11, getChildren2: 12, check: 13, multi: 14, create2: 15, createContainer: 19, createTTL: 21, auth: 100, setWatches: 101, sasl: 102,
  closeSession: -11, error: -1,
} as const;

/** Special xids (ClientCnxn): server pushes and the packets that are not ordinary requests. */
export const Xid = { notification: -1, ping: -2, auth: -4 } as const;

/** KeeperException.Code: the numbers a reply's `err` carries, by name. */
export const ERROR_NAMES: Record<number, string> = {
  [-1]: 'SYSTEMERROR', [-2]: 'RUNTIMEINCONSISTENCY', [-3]: 'DATAINCONSISTENCY', [-4]: 'CONNECTIONLOSS', [-5]: 'MARSHALLINGERROR',
  [-6]: 'UNIMPLEMENTED', [-7]: 'OPERATIONTIMEOUT', [-8]: 'BADARGUMENTS', [-13]: 'NEWCONFIGNOQUORUM', [-14]: 'RECONFIGINPROGRESS',
  [-15]: 'UNKNOWNSESSION', [-100]: 'APIERROR', [-101]: 'NONODE', [-102]: 'NOAUTH', [-103]: 'BADVERSION',
  [-108]: 'NOCHILDRENFOREPHEMERALS', [-110]: 'NODEEXISTS', [-111]: 'NOTEMPTY', [-112]: 'SESSIONEXPIRED',
  [-113]: 'INVALIDCALLBACK', [-114]: 'INVALIDACL', [-115]: 'AUTHFAILED', [-118]: 'SESSIONMOVED', [-119]: 'NOTREADONLY',
  [-120]: 'EPHEMERALONLOCALSESSION', [-121]: 'NOWATCHER', [-122]: 'REQUESTTIMEOUT', [-123]: 'RECONFIGDISABLED',
  [-124]: 'SESSIONCLOSEDREQUIRESASLAUTH', [-125]: 'QUOTAEXCEEDED', [-127]: 'THROTTLEDOP',
};

/** Create flags (CreateMode): persistent 0, ephemeral 1, sequential 2, ephemeral-sequential 3, container 4. */
export const CreateFlags = { persistent: 0, ephemeral: 1, persistentSequential: 2, ephemeralSequential: 3, container: 4, persistentWithTtl: 5, persistentSequentialWithTtl: 6 } as const;

/** Watcher.Event.EventType. */
export const EventType = { none: -1, created: 1, deleted: 2, dataChanged: 3, childrenChanged: 4 } as const;

export interface Stat {
  czxid: bigint; mzxid: bigint; ctime: bigint; mtime: bigint;
  version: number; cversion: number; aversion: number;
  ephemeralOwner: bigint; dataLength: number; numChildren: number; pzxid: bigint;
}

export interface Acl {
  /** READ 1 | WRITE 2 | CREATE 4 | DELETE 8 | ADMIN 16. */
  perms: number;
  scheme: string;
  id: string;
}

/** world:anyone with every permission (0x1f). */
export const OPEN_ACL: Acl[] = [{ perms: 0x1f, scheme: 'world', id: 'anyone' }];

export interface WatchedEvent {
  type: number;
  state: number;
  path: string;
}

export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.long(), mzxid: r.long(), ctime: r.long(), mtime: r.long(), version: r.int(), cversion: r.int(), aversion: r.int(),
    ephemeralOwner: r.long(), dataLength: r.int(), numChildren: r.int(), pzxid: r.long(),
  };
}

export function writeAcl(w: JuteWriter, acl: Acl[]): void {
  w.vector(acl, (ww, a) => ww.int(a.perms).string(a.scheme).string(a.id));
}

export function readAcl(r: JuteReader): Acl[] {
  return r.vector((rr) => ({ perms: rr.int(), scheme: rr.string() ?? '', id: rr.string() ?? '' })) ?? [];
}

export interface ConnectRequest {
  lastZxidSeen: bigint;
  timeoutMs: number;
  sessionId: bigint;
  password: Buffer;
}

/** ConnectRequest: protocol version 0, the last zxid seen, the session timeout, a session to resume (0 for new), its password, then readOnly. */
export function connectRequest(c: ConnectRequest): Buffer {
  return new JuteWriter().int(0).long(c.lastZxidSeen).int(c.timeoutMs).long(c.sessionId).buffer(c.password).bool(false).toBuffer();
}

export interface ConnectResponse {
  timeoutMs: number;
  sessionId: bigint;
  password: Buffer;
}

export function readConnectResponse(body: Buffer): ConnectResponse {
  const r = new JuteReader(body);
  r.int(); // protocol version
  const timeoutMs = r.int();
  const sessionId = r.long();
  const password = r.buffer() ?? Buffer.alloc(0);
  return { timeoutMs, sessionId, password };
}

/** One operation of a `multi`: all of them commit, or none does. */
export type MultiOp =
  /** A container (flags 4) is sent as createContainer, a TTL node (flags 5 or 6, with `ttlMs`) as createTTL. */
  | { op: 'create'; path: string; data: Buffer | null; acl?: Acl[]; flags?: number; ttlMs?: number }
  | { op: 'delete'; path: string; version?: number }
  | { op: 'setData'; path: string; data: Buffer; version?: number }
  | { op: 'check'; path: string; version: number };

/** The result of one operation of a `multi` that committed (or, when it did not, the error of each). */
export type MultiResult =
  | { op: 'create'; path: string }
  | { op: 'delete' }
  | { op: 'setData'; stat: Stat }
  | { op: 'check' }
  | { op: 'error'; err: number };

/** MultiTransactionRecord: a MultiHeader then the op's record for each, ended by a header of type -1, done. */
export function multiRequest(ops: MultiOp[]): Buffer {
  const w = new JuteWriter();
  for (const o of ops) {
    switch (o.op) {
      case 'create': {
        const flags = o.flags ?? 0;
        const ttl = flags === CreateFlags.persistentWithTtl || flags === CreateFlags.persistentSequentialWithTtl;
        w.int(flags === CreateFlags.container ? OpCode.createContainer : ttl ? OpCode.createTTL : OpCode.create).bool(false).int(-1).string(o.path).buffer(o.data);
        writeAcl(w, o.acl ?? OPEN_ACL);
        w.int(flags);
        // CreateTTLRequest: CreateRequest's fields, then the TTL (a long).
        if (ttl) w.long(BigInt(o.ttlMs ?? 0));
        break;
      }
      case 'delete':
        w.int(OpCode.delete).bool(false).int(-1).string(o.path).int(o.version ?? -1);
        break;
      case 'setData':
        w.int(OpCode.setData).bool(false).int(-1).string(o.path).buffer(o.data).int(o.version ?? -1);
        break;
      case 'check':
        w.int(OpCode.check).bool(false).int(-1).string(o.path).int(o.version);
        break;
    }
  }
  return w.int(-1).bool(true).int(-1).toBuffer();
}

export function readMultiResponse(r: JuteReader): MultiResult[] {
  const out: MultiResult[] = [];
  for (;;) {
    const type = r.int();
    const done = r.bool();
    const err = r.int();
    if (done) break;
    switch (type) {
      case OpCode.create: out.push({ op: 'create', path: r.string() ?? '' }); break;
      case OpCode.create2: out.push({ op: 'create', path: r.string() ?? '' }); readStat(r); break;
      case OpCode.delete: out.push({ op: 'delete' }); break;
      case OpCode.setData: out.push({ op: 'setData', stat: readStat(r) }); break;
      case OpCode.check: out.push({ op: 'check' }); break;
      case OpCode.error: out.push({ op: 'error', err: r.int() }); break;
      default: out.push({ op: 'error', err: err || -1 });
    }
  }
  return out;
}
