/** A real ZooKeeper client (node-zookeeper-client) behind promises: the only place zkpseudo speaks the client protocol. */
import zookeeper, { type ACL, type Client, type Event, type Stat } from 'node-zookeeper-client';

/** world:anyone with every permission (READ 1 | WRITE 2 | CREATE 4 | DELETE 8 | ADMIN 16 = 0x1f). */
export function openAcl(): ACL[] {
  return [new zookeeper.ACL(0x1f, new zookeeper.Id('world', 'anyone'))];
}

export interface Session {
  client: Client;
  server: string;
  create(path: string, data: string, mode: number): Promise<string>;
  setData(path: string, data: string): Promise<Stat>;
  getData(path: string, watch?: (e: Event) => void): Promise<{ data: string; stat: Stat }>;
  exists(path: string): Promise<Stat | null>;
  getAcl(path: string): Promise<ACL[]>;
  remove(path: string): Promise<void>;
  /**
   * Makes this session's server catch up with the leader. The client library has no `sync`,
   * so a write through this session stands in: a server applies every earlier commit before
   * it answers a later write.
   */
  catchUp(markerPath: string): Promise<void>;
  close(): void;
}

function promisify<T>(fn: (cb: (err: Error | null, r: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, r) => (err ? reject(err) : resolve(r))));
}

/** Connects to one server (or a connect string); rejects after `timeoutMs`. */
export function connect(server: string, timeoutMs = 10_000): Promise<Session> {
  const client = zookeeper.createClient(server, { sessionTimeout: 10_000, spinDelay: 200, retries: 2 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`could not connect to ${server} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      const s: Session = {
        client,
        server,
        create: (path, data, mode) => promisify((cb) => client.create(path, Buffer.from(data), openAcl(), mode, cb)),
        setData: (path, data) => promisify((cb) => client.setData(path, Buffer.from(data), -1, cb)),
        getData: (path, watch) =>
          new Promise((res, rej) => client.getData(path, watch, (err, data, stat) => (err ? rej(err) : res({ data: data?.toString() ?? '', stat })))),
        exists: (path) => promisify((cb) => client.exists(path, undefined, cb)),
        getAcl: (path) => new Promise((res, rej) => client.getACL(path, (err, acls) => (err ? rej(err) : res(acls)))),
        remove: (path) => new Promise((res, rej) => client.remove(path, -1, (err) => (err ? rej(err) : res()))),
        catchUp: async (marker) => { await s.setData(marker, String(Date.now())); },
        close: () => client.close(),
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
