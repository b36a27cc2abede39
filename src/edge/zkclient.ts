/** A real ZooKeeper client (node-zookeeper-client) behind promises: the only place zkpseudo speaks the client protocol. */
import zookeeper, { type ACL, type Client, type Event, type Stat } from 'node-zookeeper-client';
import jute from 'node-zookeeper-client/lib/jute/index.js';
import type { AclEntry } from '../zk/znodes.js';

export type { Stat };

/** world:anyone with every permission (READ 1 | WRITE 2 | CREATE 4 | DELETE 8 | ADMIN 16 = 0x1f). */
export function openAcl(): ACL[] {
  return [new zookeeper.ACL(0x1f, new zookeeper.Id('world', 'anyone'))];
}

/** What a consistency history records of a znode's Stat. */
export interface StatFacts {
  version: number;
  /** The transaction that last changed the data, hex (`0x100000003`). */
  mzxid: string;
}

export interface Session {
  client: Client;
  server: string;
  create(path: string, data: string, mode: number): Promise<string>;
  setData(path: string, data: string): Promise<Stat>;
  getData(path: string, watch?: (e: Event) => void): Promise<{ data: string; stat: Stat }>;
  exists(path: string, watch?: (e: Event) => void): Promise<Stat | null>;
  getAcl(path: string): Promise<ACL[]>;
  remove(path: string, version?: number): Promise<void>;
  getChildren(path: string): Promise<string[]>;
  /** setData with an expected version: a compare-and-set, failing with BAD_VERSION. */
  setDataIf(path: string, data: string, version: number): Promise<StatFacts>;
  /** getData as text, with the Stat facts a consistency history records. */
  readFacts(path: string): Promise<{ data: string } & StatFacts>;
  /** A linearizable read: `sync`, then readFacts. */
  syncReadFacts(path: string): Promise<{ data: string } & StatFacts>;
  /**
   * Makes this session's server catch up with the leader. The client library has no `sync`,
   * so a write through this session stands in: a server applies every earlier commit before
   * it answers a later write.
   */
  catchUp(markerPath: string): Promise<void>;
  /** The session id as ZooKeeper prints it (`0x1000a2b3c4d0000`). */
  sessionId(): string;
  /** The session timeout the servers granted, ms. */
  sessionTimeoutMs(): number;
  /** The port of the server (or fault proxy) the session is connected to right now. */
  serverPort(): number | undefined;
  close(): void;
  /**
   * Gives the session up at once: closes it and drops the connection, even to a server that no
   * longer answers (a paused one would hold a plain close forever). The session itself lives
   * on in the ensemble until it expires.
   */
  abandon(): void;
  /** Children's names and the node's own stat, in one request (GET_CHILDREN2). */
  children(path: string): Promise<{ names: string[]; stat: Stat }>;
  /** The node's bytes — null when it has none at all, which differs from empty — and its stat. */
  read(path: string): Promise<{ data: Buffer | null; stat: Stat }>;
  acl(path: string): Promise<AclEntry[]>;
  setAcl(path: string, acl: readonly AclEntry[]): Promise<void>;
  write(path: string, data: Buffer | null): Promise<void>;
  /** One atomic multi: every operation or none; rejects with a MultiError naming the first that failed. */
  multi(ops: readonly MultiOp[]): Promise<void>;
  /**
   * Children, or data and stat, or both, of many nodes in one request (ZooKeeper 3.6+'s
   * multiRead): a thousand nodes cost one trip through the server's request pipeline, not a
   * thousand. Each node answers on its own: what was asked, or ZooKeeper's error name.
   */
  readMany(paths: readonly string[], what: ReadWhat): Promise<(NodeRead | { error: string })[]>;
  /**
   * What `sync` does, which the client library lacks: a multi holding only a version check
   * (`check(path, -1)`: the node exists; default `/`) is forwarded to the leader, which orders
   * it among all writes, and changes nothing. The server answers it only once it has applied
   * that zxid, and answers this session's next request after it, so that request sees every
   * write committed before the sync began. (A reconnect cannot undo that: a server refuses a
   * session that has seen a later zxid than its own.)
   */
  sync(path?: string): Promise<void>;
  /** Adds credentials (`digest`, `user:password`) for every later request, and again after a reconnect. */
  authenticate(scheme: string, credential: string): void;
  /** True while the session is connected (not reconnecting, not expired). */
  connected(): boolean;
  /**
   * Whether the session's connection keeps the process alive (default true). A session kept
   * idle for reuse lets the process end; after a reconnect the new connection follows suit.
   */
  hold(on: boolean): void;
  /** Calls `fn` once, when the connection is lost (it may come back) or the session expires; returns a way to stop listening. */
  onLost(fn: () => void): () => void;
}

/**
 * What reset, dump, seed and namespaces use of a session: node-zookeeper-client's Session, or
 * (on a TLS-only or SASL ensemble, which it cannot reach) ensemble/tree/wire-session's adapter
 * over zkpseudo's own client. Its errors carry the same `code` and `name` (zkErrorName).
 */
export type TreeSession = Pick<Session, 'create' | 'exists' | 'remove' | 'children' | 'read' | 'acl' | 'setAcl' | 'write' | 'multi' | 'readMany' | 'sync' | 'authenticate' | 'connected' | 'hold' | 'onLost' | 'close'>;

/**
 * Wraps request calls so that those made in one turn of the event loop leave in one write:
 * the library writes each request to the socket on its own, and at a thousand pipelined
 * requests (a walk, a reset) those system calls were most of the time spent. A corked socket
 * buffers them; the next tick uncorks it, which sends them together.
 */
function corking(client: Client): <T>(request: () => T) => T {
  return (request) => {
    const socket = (client as unknown as { connectionManager: { socket?: import('node:net').Socket } }).connectionManager.socket;
    if (socket && !socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    return request();
  };
}

/** Library internals the promise layer needs: the socket (for its peer and to drop it). */
interface Internals { connectionManager?: { socket?: { remotePort?: number; destroy(): void } } }

function promisify<T>(fn: (cb: (err: Error | null, r: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, r) => (err ? reject(err) : resolve(r))));
}

const hex = (b: Buffer | undefined) => `0x${b ? b.toString('hex').replace(/^0+(?=.)/, '') : '0'}`;
const facts = (stat: Stat): StatFacts => ({ version: stat.version, mzxid: hex(stat.mzxid) });

export interface ConnectOptions {
  /** Asked of the servers, which clamp it to 2–20 ticks (default 10 s). */
  sessionTimeoutMs?: number;
  /** Retries on connection loss inside the library (default 2). A history needs 0: a retried write would happen twice. */
  retries?: number;
}

/** Connects to one server (or a connect string); rejects after `timeoutMs`. */
export function connect(server: string, timeoutMs = 10_000, opts: ConnectOptions = {}): Promise<Session> {
  const client = zookeeper.createClient(server, { sessionTimeout: opts.sessionTimeoutMs ?? 10_000, spinDelay: 200, retries: opts.retries ?? 2 });
  const internals = client as unknown as Internals;
  const drop = () => { client.close(); internals.connectionManager?.socket?.destroy(); };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      drop();
      reject(new Error(`could not connect to ${server} within ${timeoutMs} ms`));
    }, timeoutMs);
    let held = true;
    const socket = () => (client as unknown as { connectionManager: { socket?: import('node:net').Socket } }).connectionManager.socket;
    client.on('state', (state) => {
      if (state.name === 'SYNC_CONNECTED' && !held) socket()?.unref();
    });
    client.once('connected', () => {
      clearTimeout(timer);
      const burst = corking(client);
      const getData = (path: string, watch?: (e: Event) => void) =>
        new Promise<{ data: string; stat: Stat }>((res, rej) => client.getData(path, watch, (err, data, stat) => (err ? rej(err) : res({ data: data?.toString() ?? '', stat }))));
      const readFacts = async (path: string) => { const r = await getData(path); return { data: r.data, ...facts(r.stat) }; };
      const s: Session = {
        client,
        server,
        create: (path, data, mode) => promisify((cb) => client.create(path, Buffer.from(data), openAcl(), mode, cb)),
        setData: (path, data) => promisify((cb) => client.setData(path, Buffer.from(data), -1, cb)),
        getData,
        exists: (path, watch) => burst(() => promisify((cb) => client.exists(path, watch, cb))),
        getAcl: (path) => new Promise((res, rej) => client.getACL(path, (err, acls) => (err ? rej(err) : res(acls)))),
        remove: (path, version = -1) => burst(() => new Promise((res, rej) => client.remove(path, version, (err) => (err ? rej(err) : res())))),
        getChildren: (path) => promisify((cb) => client.getChildren(path, cb)),
        setDataIf: async (path, data, version) => facts(await promisify<Stat>((cb) => client.setData(path, Buffer.from(data), version, cb))),
        readFacts,
        syncReadFacts: async (path) => { await s.sync(path); return readFacts(path); },
        catchUp: async (marker) => { await s.setData(marker, String(Date.now())); },
        sessionId: () => hex(client.getSessionId()),
        sessionTimeoutMs: () => client.getSessionTimeout(),
        serverPort: () => internals.connectionManager?.socket?.remotePort,
        close: () => client.close(),
        abandon: drop,
        children: (path) => burst(() => new Promise((res, rej) => client.getChildren(path, (err, names, stat) => (err ? rej(err) : res({ names, stat }))))),
        read: (path) => burst(() => new Promise((res, rej) => client.getData(path, undefined, (err, data, stat) => (err ? rej(err) : res({ data: data ?? null, stat }))))),
        acl: (path) => burst(() => new Promise((res, rej) => client.getACL(path, (err, acls) => (err ? rej(err) : res(acls.map((a) => ({ scheme: a.id.scheme, id: a.id.id, perms: a.permission }))))))),
        setAcl: (path, acl) => new Promise((res, rej) => client.setACL(path, acl.map(toAcl), -1, (err) => (err ? rej(err) : res()))),
        write: (path, data) => new Promise((res, rej) => client.setData(path, data, -1, (err) => (err ? rej(err) : res()))),
        multi: (ops) => burst(() => multi(client, ops)),
        readMany: (paths, what) => burst(() => readMany(client, paths, what)),
        sync: (path = '/') => multi(client, [{ op: 'check', path }]),
        authenticate: (scheme, credential) => client.addAuthInfo(scheme, Buffer.from(credential, 'utf8')),
        connected: () => (client as unknown as { getState(): { name: string } }).getState().name === 'SYNC_CONNECTED',
        hold: (on) => {
          held = on;
          if (on) socket()?.ref();
          else socket()?.unref();
        },
        onLost: (fn) => {
          const lost = (state: { name: string }) => {
            if (state.name !== 'DISCONNECTED' && state.name !== 'EXPIRED') return;
            client.removeListener('state', lost);
            // Not from inside the library's own state change: it announces DISCONNECTED and only
            // then starts reconnecting, which would undo a close() made meanwhile (CLOSING becomes
            // CONNECTING) and leave a client retrying a dead server forever, holding the process.
            setImmediate(fn);
          };
          client.on('state', lost);
          return () => { client.removeListener('state', lost); };
        },
      };
      resolve(s);
    });
    client.connect();
  });
}

/** True for the client's "no such znode" error (what deleting an already deleted node gives). */
export function isNoNode(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === zookeeper.Exception.NO_NODE;
}

export const CreateMode = zookeeper.CreateMode;

/** ZooKeeper's name for a client error (`NO_NODE`, `NODE_EXISTS`, `NO_AUTH`, …), or undefined for any other error. */
export function zkErrorName(err: unknown): string | undefined {
  const e = err as { code?: unknown; name?: unknown } | undefined;
  return typeof e?.code === 'number' && typeof e.name === 'string' ? e.name : undefined;
}

function toAcl(a: AclEntry): ACL {
  return new zookeeper.ACL(a.perms, new zookeeper.Id(a.scheme, a.id));
}

// ---- multi with every kind of create ----------------------------------------------------
//
// node-zookeeper-client 1.1.3 builds multis of create, delete, setData and check only, and
// cannot read the answer to a container or TTL create (ZooKeeper answers those, inside a
// multi, as create2: a path and a stat). So the multi request is assembled here from the
// library's own jute records, and its reader of multi answers learns create2 below.

export type CreateKind = 'persistent' | 'ephemeral' | 'container' | 'ttl';

/** What readMany asks of each node: its children's names, its data and stat, or both. */
export interface ReadWhat {
  children?: boolean;
  data?: boolean;
}

/** A node as readMany read it: `names` when children were asked for, `data` and `stat` when data was. */
export interface NodeRead {
  names?: string[];
  data?: Buffer | null;
  stat?: Stat;
}

export type MultiOp =
  | { op: 'create'; path: string; data: Buffer | null; acl: readonly AclEntry[]; kind: CreateKind; ttlMs?: number }
  | { op: 'delete'; path: string }
  | { op: 'check'; path: string };

/** A multi that failed: nothing of it happened. `index` is the operation ZooKeeper refused, `code` its error's name. */
export class MultiError extends Error {
  constructor(readonly index: number, readonly code: string, readonly path: string | undefined) {
    super(`${code}${path ? ` on ${path}` : ''}`);
    this.name = 'MultiError';
  }
}

/** ZooDefs.OpCode and CreateMode flags (3.5+). */
const OP = { getData: 4, getChildren: 8, create: 1, delete: 2, check: 13, multi: 14, create2: 15, createContainer: 19, createTTL: 21, multiRead: 22, error: -1 } as const;
const FLAGS: Record<CreateKind, number> = { persistent: 0, ephemeral: 1, container: 4, ttl: 5 };
const OK = 0;
const RUNTIME_INCONSISTENCY = -2;

/** node-zookeeper-client's name for a ZooKeeper error code (`NO_NODE` for -101). */
export function zkCodeName(code: number): string | undefined {
  return codeNames.get(code);
}

const codeNames = new Map(Object.entries(zookeeper.Exception).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]));

function opRecord(op: MultiOp): JuteRecord {
  if (op.op === 'delete' || op.op === 'check') {
    const r = op.op === 'delete' ? new jute.protocol.DeleteRequest() : new jute.protocol.CheckVersionRequest();
    r.path = op.path;
    r.version = -1;
    return r;
  }
  const r = new jute.protocol.CreateRequest();
  r.path = op.path;
  r.data = op.data ?? undefined;
  r.acl = op.acl.map((a) => toAcl(a).toRecord());
  r.flags = FLAGS[op.kind];
  if (op.kind === 'ttl') {
    // CreateTTLRequest is CreateRequest with the TTL (a long) after it; the library has no class for it.
    r.specification = [...r.specification, { name: 'ttl', type: 'long' }];
    const ttl = Buffer.alloc(8);
    ttl.writeBigInt64BE(BigInt(op.ttlMs ?? 0));
    r.ttl = ttl;
  }
  return r;
}

function opCode(op: MultiOp): number {
  if (op.op !== 'create') return op.op === 'delete' ? OP.delete : OP.check;
  return op.kind === 'container' ? OP.createContainer : op.kind === 'ttl' ? OP.createTTL : OP.create;
}

type Manager = { queue(req: unknown, cb: (err: Error | null, res?: { payload: { results: MultiResult[] } }) => void): void };
type MultiResult = { type: number; err?: number; children?: string[]; data?: Buffer; stat?: Stat };

/** Sends a multi-shaped request (`records` between MultiHeaders) and hands back ZooKeeper's per-operation results. */
function sendMulti(client: Client, records: JuteRecord[], wireType: number): Promise<MultiResult[]> {
  teachMultiAnswers();
  records.push(new jute.protocol.MultiHeader(-1, true, -1));
  const payload = {
    setChrootPath: (p: string) => { for (const r of records) r.setChrootPath(p); },
    byteLength: () => records.reduce((n, r) => n + r.byteLength(), 0),
    serialize: (buffer: Buffer, offset: number) => records.reduce((at, r) => at + r.serialize(buffer, at), offset) - offset,
  };
  // The library picks the reader of an answer by the request's `type`, and knows no
  // multiRead; its answer has a multi's shape, so the header says multi to the library and
  // writes the real type on the wire.
  const header = {
    xid: 0,
    type: OP.multi,
    byteLength: () => 8,
    serialize(buffer: Buffer, offset: number) {
      buffer.writeInt32BE(this.xid, offset);
      buffer.writeInt32BE(wireType, offset + 4);
      return 8;
    },
  };
  const manager = (client as unknown as { connectionManager: Manager }).connectionManager;
  return new Promise((resolve, reject) => {
    manager.queue(new jute.Request(header, payload), (err, response) => (err ? reject(err) : resolve(response!.payload.results)));
  });
}

async function multi(client: Client, ops: readonly MultiOp[]): Promise<void> {
  const records: JuteRecord[] = [];
  for (const op of ops) records.push(new jute.protocol.MultiHeader(opCode(op), false, -1), opRecord(op));
  const results = await sendMulti(client, records, OP.multi);
  const failed = results.findIndex((r) => r.type === OP.error && r.err !== OK && r.err !== RUNTIME_INCONSISTENCY);
  const index = failed >= 0 ? failed : results.findIndex((r) => r.type === OP.error && r.err !== OK);
  if (index < 0) return;
  const code = results[index]!.err!;
  throw new MultiError(index, codeNames.get(code) ?? `error ${code}`, ops[index]?.path);
}

async function readMany(client: Client, paths: readonly string[], what: ReadWhat): Promise<(NodeRead | { error: string })[]> {
  const ops: [number, RecordClassOf][] = [
    ...(what.children ? [[OP.getChildren, jute.protocol.GetChildren2Request] as [number, RecordClassOf]] : []),
    ...(what.data ? [[OP.getData, jute.protocol.GetDataRequest] as [number, RecordClassOf]] : []),
  ];
  const records: JuteRecord[] = [];
  for (const path of paths) {
    for (const [type, Request] of ops) {
      const r = new Request();
      r.path = path;
      r.watch = false;
      records.push(new jute.protocol.MultiHeader(type, false, -1), r);
    }
  }
  const results = await sendMulti(client, records, OP.multiRead);
  return paths.map((_, i) => {
    const mine = results.slice(i * ops.length, (i + 1) * ops.length);
    const failed = mine.length < ops.length ? { err: undefined } : mine.find((r) => r.type === OP.error);
    if (failed) return { error: failed.err !== undefined ? codeNames.get(failed.err) ?? `error ${failed.err}` : 'no answer' };
    const listed = mine.find((r) => r.type === OP.getChildren);
    const read = mine.find((r) => r.type === OP.getData);
    return { ...(listed ? { names: listed.children ?? [] } : {}), ...(read ? { data: read.data ?? null, stat: read.stat! } : {}) };
  });
}

type RecordClassOf = new () => JuteRecord;

interface JuteRecord {
  specification: { name: string; type: string }[];
  [field: string]: unknown;
  setChrootPath(path: string | undefined): void;
  byteLength(): number;
  serialize(buffer: Buffer, offset: number): number;
  deserialize(buffer: Buffer, offset: number): number;
}

let taught = false;

/**
 * The library's reader of multi answers, taught create2 (a path, then a stat: how ZooKeeper
 * answers a container or TTL create inside a multi) and multiRead's getChildren (names) and
 * getData (data, then a stat); without it the reader throws in the socket's data handler.
 * Every other answer is read exactly as before.
 */
function teachMultiAnswers(): void {
  if (taught) return;
  taught = true;
  const proto = jute.TransactionResponse.prototype as { deserialize(this: { results: unknown[]; chrootPath?: string }, buffer: Buffer, offset: number): number };
  proto.deserialize = function (buffer, offset) {
    let read = 0;
    for (;;) {
      const header = new jute.protocol.MultiHeader() as JuteRecord & { type: number; done: boolean };
      read += header.deserialize(buffer, offset + read);
      if (header.done) return read;
      const next = (record: JuteRecord) => {
        record.setChrootPath(this.chrootPath);
        read += record.deserialize(buffer, offset + read);
        return record;
      };
      if (header.type === OP.create2) {
        const created = next(new jute.protocol.CreateResponse());
        this.results.push({ type: header.type, path: created.path, stat: next(new jute.data.Stat()) });
      } else if (header.type === OP.create) this.results.push({ type: header.type, path: next(new jute.protocol.CreateResponse()).path });
      else if (header.type === OP.getChildren) {
        // GetChildrenResponse: GetChildren2Response without its stat.
        const r = new jute.protocol.GetChildren2Response() as JuteRecord;
        r.specification = r.specification.filter((f) => f.name === 'children');
        this.results.push({ type: header.type, children: next(r).children ?? [] });
      } else if (header.type === OP.getData) {
        const r = next(new jute.protocol.GetDataResponse());
        this.results.push({ type: header.type, data: r.data, stat: r.stat });
      } else if (header.type === OP.error) this.results.push({ type: header.type, err: next(new jute.protocol.ErrorResponse()).err });
      else if (header.type === 5) this.results.push({ type: header.type, stat: next(new jute.protocol.SetDataResponse()).stat });
      else if (header.type === OP.delete || header.type === OP.check) this.results.push({ type: header.type });
      // What the library does not know either: fail the way its own reader does.
      else throw new Error(`Unknown type: ${header.type} in transaction response.`);
    }
  };
}
export const EventType = zookeeper.Event;
