/** A real ZooKeeper client (node-zookeeper-client) behind promises: the only place zkpseudo speaks the client protocol. */
import zookeeper, { type ACL, type Client, type Event, type Stat } from 'node-zookeeper-client';

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
  /** getData with the Stat facts a history records. */
  read(path: string): Promise<{ data: string } & StatFacts>;
  /**
   * What `sync` does, which the client library lacks: it has `multi`, which every server
   * forwards to the leader, where it gets a zxid in the one order of all writes; its one check
   * op (`check(path, -1)`: the node exists) changes nothing. The server answers the multi only
   * once it has applied that zxid, and answers this session's next request after it, so that
   * request sees every write committed before the sync began. (A reconnect cannot undo that: a
   * server refuses a session that has seen a later zxid than its own.)
   */
  sync(path: string): Promise<void>;
  /** A linearizable read: `sync`, then getData. */
  syncRead(path: string): Promise<{ data: string } & StatFacts>;
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
}

/** Library internals the promise layer needs: the socket (for its peer and to drop it). */
interface Internals { connectionManager?: { socket?: { remotePort?: number; destroy(): void } } }

function promisify<T>(fn: (cb: (err: Error | null, r: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, r) => (err ? reject(err) : resolve(r))));
}

const hex = (b: Buffer | undefined) => `0x${b ? b.toString('hex').replace(/^0+(?=.)/, '') : '0'}`;
const facts = (stat: Stat): StatFacts => ({ version: stat.version, mzxid: hex(stat.mzxid) });

/** The name of a ZooKeeper error (`BAD_VERSION`, `CONNECTION_LOSS`) or undefined for any other error. */
export function zkErrorName(err: unknown): string | undefined {
  const e = err as { code?: unknown; name?: unknown };
  return typeof e?.code === 'number' && typeof e.name === 'string' ? e.name : undefined;
}

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
    client.once('connected', () => {
      clearTimeout(timer);
      const getData = (path: string, watch?: (e: Event) => void) =>
        new Promise<{ data: string; stat: Stat }>((res, rej) => client.getData(path, watch, (err, data, stat) => (err ? rej(err) : res({ data: data?.toString() ?? '', stat }))));
      const read = async (path: string) => { const r = await getData(path); return { data: r.data, ...facts(r.stat) }; };
      const s: Session = {
        client,
        server,
        create: (path, data, mode) => promisify((cb) => client.create(path, Buffer.from(data), openAcl(), mode, cb)),
        setData: (path, data) => promisify((cb) => client.setData(path, Buffer.from(data), -1, cb)),
        getData,
        exists: (path, watch) => promisify((cb) => client.exists(path, watch, cb)),
        getAcl: (path) => new Promise((res, rej) => client.getACL(path, (err, acls) => (err ? rej(err) : res(acls)))),
        remove: (path, version = -1) => new Promise((res, rej) => client.remove(path, version, (err) => (err ? rej(err) : res()))),
        getChildren: (path) => promisify((cb) => client.getChildren(path, cb)),
        setDataIf: async (path, data, version) => facts(await promisify<Stat>((cb) => client.setData(path, Buffer.from(data), version, cb))),
        read,
        sync: async (path) => { await promisify((cb) => client.transaction().check(path, -1).commit(cb)); },
        syncRead: async (path) => { await s.sync(path); return read(path); },
        catchUp: async (marker) => { await s.setData(marker, String(Date.now())); },
        sessionId: () => hex(client.getSessionId()),
        sessionTimeoutMs: () => client.getSessionTimeout(),
        serverPort: () => internals.connectionManager?.socket?.remotePort,
        close: () => client.close(),
        abandon: drop,
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
export const EventType = zookeeper.Event;
