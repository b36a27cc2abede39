// The parts of node-zookeeper-client (which ships no types) that zkpseudo uses.
declare module 'node-zookeeper-client' {
  export class Id { constructor(scheme: string, id: string); scheme: string; id: string }
  export class ACL { constructor(permission: number, id: Id); permission: number; id: Id; toRecord(): unknown }
  export const Permission: { READ: number; WRITE: number; CREATE: number; DELETE: number; ADMIN: number; ALL: number };
  export const CreateMode: { PERSISTENT: 0; PERSISTENT_SEQUENTIAL: 2; EPHEMERAL: 1; EPHEMERAL_SEQUENTIAL: 3 };
  export interface Stat { version: number; cversion: number; aversion: number; ephemeralOwner: Buffer; dataLength: number; numChildren: number; mzxid: Buffer; czxid: Buffer }
  export interface Event { type: number; name: string; path: string; getType(): number; getName(): string; getPath(): string }
  export interface Exception extends Error { code: number; name: string; getCode(): number }
  export const Exception: { NO_NODE: number; NODE_EXISTS: number; CONNECTION_LOSS: number; [code: string]: unknown };
  export const Event: { NODE_CREATED: 1; NODE_DELETED: 2; NODE_DATA_CHANGED: 3; NODE_CHILDREN_CHANGED: 4 };
  type Cb<T = void> = (error: Exception | Error | null, result: T) => void;
  export interface Transaction {
    create(path: string, data?: Buffer, acls?: ACL[], mode?: number): Transaction;
    /** Beware: the library turns version 0 into -1 (`version || -1`). */
    check(path: string, version?: number): Transaction;
    setData(path: string, data: Buffer | null, version?: number): Transaction;
    remove(path: string, version?: number): Transaction;
    commit(callback: Cb<unknown[]>): void;
  }
  export interface Client {
    connect(): void;
    close(): void;
    once(event: 'connected' | 'disconnected' | 'expired' | 'authenticationFailed', listener: () => void): this;
    on(event: 'state', listener: (state: { name: string; code: number }) => void): this;
    removeListener(event: 'state', listener: (state: { name: string; code: number }) => void): this;
    getSessionId(): Buffer;
    getSessionTimeout(): number;
    transaction(): Transaction;
    create(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: Cb<string>): void;
    remove(path: string, version: number, callback: (error: Exception | Error | null) => void): void;
    setData(path: string, data: Buffer | null, version: number, callback: Cb<Stat>): void;
    getData(path: string, watcher: ((event: Event) => void) | undefined, callback: (error: Exception | Error | null, data: Buffer, stat: Stat) => void): void;
    exists(path: string, watcher: ((event: Event) => void) | undefined, callback: Cb<Stat | null>): void;
    getChildren(path: string, callback: (error: Exception | Error | null, children: string[], stat: Stat) => void): void;
    setACL(path: string, acls: ACL[], version: number, callback: Cb<Stat>): void;
    addAuthInfo(scheme: string, auth: Buffer): void;
    getACL(path: string, callback: (error: Exception | Error | null, acls: ACL[], stat: Stat) => void): void;
  }
  export function createClient(connectionString: string, options?: { sessionTimeout?: number; spinDelay?: number; retries?: number }): Client;
}

// The protocol records node-zookeeper-client builds its requests from (see edge/zkclient's multi).
declare module 'node-zookeeper-client/lib/jute/index.js' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type RecordClass = new (...args: any[]) => any;
  const jute: {
    protocol: Record<'RequestHeader' | 'MultiHeader' | 'CreateRequest' | 'DeleteRequest' | 'CheckVersionRequest' | 'CreateResponse' | 'SetDataResponse' | 'ErrorResponse' | 'GetChildren2Request' | 'GetChildren2Response' | 'GetDataRequest' | 'GetDataResponse', RecordClass>;
    data: Record<'Stat', RecordClass>;
    Request: RecordClass;
    TransactionResponse: { prototype: unknown };
  };
  export default jute;
}
