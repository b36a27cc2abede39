/**
 * zkpseudo's own ZooKeeper client: one session over one connection, plain TCP or TLS
 * (node:tls), with SASL DIGEST-MD5 through the protocol's SASL request. No npm client speaks
 * TLS or SASL, and none has `sync`; this one has what zkpseudo's commands need — create,
 * delete, exists, getData, setData, getChildren(2), getACL, setACL, sync, multi (containers and
 * TTL nodes too), auth packets, one-shot
 * watches and pings — and nothing more. A session ends with its connection (no reconnect or
 * failover): zkpseudo's commands are short, and a test that wants failover uses a real client.
 */
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { JuteReader, JuteWriter } from './jute.js';
import {
  connectRequest, EventType, multiRequest, OPEN_ACL, OpCode, readAcl, readConnectResponse, readMultiResponse, readStat, writeAcl, Xid,
  type Acl, type MultiOp, type MultiResult, type Stat, type WatchedEvent,
} from './records.js';
import { answerChallenge, checkRspauth, DigestChallengeError } from './digest-md5.js';
import { describeTlsError, keeperError, ZkWireError } from './errors.js';

export interface TlsSettings {
  /** PEM CA certificate(s) the server's certificate must chain to. */
  ca: string | Buffer;
  /** PEM client certificate (chain) and its key; servers with ssl.clientAuth=need refuse a client without. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface SaslSettings {
  user: string;
  password: string;
}

export interface ConnectOptions {
  host?: string;
  port: number;
  /**
   * The path the session is rooted at (`/app`, a connect string's chroot): paths sent are taken
   * below it, and paths received (created names, watch events) have it taken off again, as
   * ZooKeeper's own clients do (a chroot lives in the client only).
   */
  chroot?: string;
  tls?: TlsSettings;
  sasl?: SaslSettings;
  /** Asked-for session timeout (the server clamps it to 2–20 ticks); default 10 s. */
  sessionTimeoutMs?: number;
  /** Connect, TLS handshake, session and SASL together; default 8 s. */
  connectTimeoutMs?: number;
  /** Each request; default 8 s. */
  requestTimeoutMs?: number;
}

export type Watcher = (event: WatchedEvent) => void;

export interface Session {
  readonly sessionId: bigint;
  /** `host:port`, for messages. */
  readonly server: string;
  readonly secure: boolean;
  /** The SASL user this session authenticated as, if any. */
  readonly user?: string;
  create(path: string, data: Buffer | string, opts?: { acl?: Acl[]; flags?: number }): Promise<string>;
  delete(path: string, version?: number): Promise<void>;
  exists(path: string, watch?: Watcher): Promise<Stat | null>;
  getData(path: string, watch?: Watcher): Promise<{ data: Buffer; stat: Stat }>;
  /** getData without a watch, telling a node with no data at all (null) from one with empty data. */
  read(path: string): Promise<{ data: Buffer | null; stat: Stat }>;
  setData(path: string, data: Buffer | string, version?: number): Promise<Stat>;
  getChildren(path: string, watch?: Watcher): Promise<string[]>;
  getAcl(path: string): Promise<{ acl: Acl[]; stat: Stat }>;
  /** Children's names (sorted) and the node's own stat, in one request (getChildren2). */
  getChildren2(path: string): Promise<{ names: string[]; stat: Stat }>;
  /** Replaces the node's ACL (`version` -1: whatever its ACL version). */
  setAcl(path: string, acl: Acl[], version?: number): Promise<Stat>;
  /** Makes the server this session talks to catch up with the leader (ZooKeeper's `sync`). */
  sync(path: string): Promise<void>;
  /** All of `ops` commit, or none does; a failed multi rejects with the first error. */
  multi(ops: MultiOp[]): Promise<MultiResult[]>;
  /** Whether the connection keeps the process alive (default true): a session kept idle for reuse lets it end. */
  hold(on: boolean): void;
  /** An auth packet (`addauth digest user:pw`). */
  addAuth(scheme: string, auth: Buffer | string): Promise<void>;
  /**
   * Closes the session (its ephemeral znodes go) and the connection, waiting at most `waitMs`
   * (default: the request timeout) for the server to confirm: a server that hangs is not waited out.
   */
  close(waitMs?: number): Promise<void>;
  /** Called once when the connection ends, with the reason when it was not `close()`. */
  onClose(cb: (err?: ZkWireError) => void): void;
}

interface Pending {
  resolve(body: JuteReader): void;
  reject(err: ZkWireError): void;
  what: string;
  timer: NodeJS.Timeout;
}

/** Connects, opens a session, and (with `sasl`) authenticates; rejects with a ZkWireError naming the layer that failed. */
export function connect(opts: ConnectOptions): Promise<Session> {
  return new WireSession(opts).open();
}

class WireSession implements Session {
  sessionId = 0n;
  readonly server: string;
  readonly secure: boolean;
  user?: string;
  private socket!: net.Socket;
  private inbox: Buffer = Buffer.alloc(0);
  private connected = false;
  private nextXid = 1;
  private pending = new Map<number, Pending>();
  private dataWatches = new Map<string, Watcher[]>();
  private childWatches = new Map<string, Watcher[]>();
  private closers: ((err?: ZkWireError) => void)[] = [];
  private ended = false;
  private closing = false;
  private pinger?: NodeJS.Timeout;
  private onConnectResponse?: (body: Buffer) => void;
  private requestTimeoutMs: number;

  constructor(private readonly opts: ConnectOptions) {
    this.server = `${opts.host ?? '127.0.0.1'}:${opts.port}`;
    this.secure = !!opts.tls;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 8000;
  }

  open(): Promise<Session> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 8000;
    return new Promise<Session>((resolve, reject) => {
      let settled = false;
      const fail = (err: ZkWireError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.teardown(err);
        reject(err);
      };
      const timer = setTimeout(() => fail(new ZkWireError('timeout', `${this.server}: no ZooKeeper session within ${timeoutMs} ms`, 'Is the server serving? `zkpseudo status` says.')), timeoutMs);
      const host = this.opts.host ?? '127.0.0.1';
      const onOpen = () => this.send(connectRequest({ lastZxidSeen: 0n, timeoutMs: this.opts.sessionTimeoutMs ?? 10_000, sessionId: 0n, password: Buffer.alloc(16) }));
      this.socket = this.opts.tls
        ? tls.connect({ host, port: this.opts.port, ca: this.opts.tls.ca, ...(this.opts.tls.cert ? { cert: this.opts.tls.cert, key: this.opts.tls.key } : {}) }, onOpen)
        : net.connect({ host, port: this.opts.port }, onOpen);
      this.socket.setNoDelay(true);
      this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
      this.socket.on('error', (err: NodeJS.ErrnoException) => fail(this.socketError(err)));
      this.socket.on('close', () => {
        const err = new ZkWireError('closed', `${this.server} closed the connection${this.connected ? '' : ' before a session was made'}`, this.opts.tls ? 'The server\'s log says why (`zkpseudo logs ID`).' : 'If that port speaks TLS, connect with TLS; otherwise the server\'s log says why (`zkpseudo logs ID`).');
        fail(err);
        this.teardown(this.closing ? undefined : err);
      });
      this.onConnectResponse = (body) => {
        const res = readConnectResponse(body);
        if (res.timeoutMs <= 0) return fail(new ZkWireError('closed', `${this.server} refused the session (its session timeout is ${res.timeoutMs})`, 'The server\'s log says why.'));
        this.sessionId = res.sessionId;
        this.connected = true;
        this.startPings(res.timeoutMs);
        const sasl = this.opts.sasl;
        if (!sasl) {
          settled = true;
          clearTimeout(timer);
          return resolve(this);
        }
        this.authenticate(sasl).then(() => {
          settled = true;
          clearTimeout(timer);
          resolve(this);
        }, (err: ZkWireError) => fail(err));
      };
    });
  }

  private socketError(err: NodeJS.ErrnoException): ZkWireError {
    if (err.code === 'ECONNREFUSED') return new ZkWireError('refused', `${this.server} refused the connection: nothing listens there`, 'Is the server running (`zkpseudo status`)? On an ensemble made with --tls-only the plain client port is closed: connect with TLS.');
    if (this.opts.tls && !this.connected) {
      const d = err.code === 'ECONNRESET' || err.code === 'EPIPE'
        ? { message: `${this.server} closed the connection during the TLS handshake (${err.code})`, hint: 'The server refused the handshake; its log says why (`zkpseudo logs ID`).' }
        : describeTlsError(err, this.server);
      return new ZkWireError('tls', d.message, d.hint);
    }
    return new ZkWireError('closed', `${this.server}: ${err.code ?? err.message}`, 'The server\'s log says why (`zkpseudo logs ID`).');
  }

  /** DIGEST-MD5 through SASL requests: an empty first token asks for the challenge, the answer earns the rspauth. */
  private async authenticate(sasl: SaslSettings): Promise<void> {
    const token = (t: Buffer) => this.request(OpCode.sasl, new JuteWriter().buffer(t).toBuffer(), 'SASL').then((r) => r.buffer() ?? Buffer.alloc(0));
    try {
      const challenge = await token(Buffer.alloc(0));
      const exchange = answerChallenge(challenge, sasl.user, sasl.password, randomBytes(16).toString('base64'));
      const final = await token(exchange.response);
      if (!checkRspauth(final, exchange)) throw new ZkWireError('sasl', `${this.server}: the server's SASL reply does not prove it knows the password`, 'The server is not the one whose users zkpseudo made; check the connect string.');
      this.user = sasl.user;
    } catch (err) {
      if (err instanceof DigestChallengeError) throw new ZkWireError('sasl', `${this.server}: ${err.message}`, 'The server is not configured for DIGEST-MD5.');
      if (err instanceof ZkWireError && (err.kind === 'closed' || err.kind === 'keeper')) {
        throw new ZkWireError('sasl', `${this.server}: SASL authentication as "${sasl.user}" failed (${err.codeName ?? 'the server closed the connection'})`, 'Check the user and password (`zkpseudo env` prints the ensemble\'s); the server\'s log says why.');
      }
      throw err;
    }
  }

  private startPings(timeoutMs: number): void {
    const ping = new JuteWriter().int(Xid.ping).int(OpCode.ping).toBuffer();
    this.pinger = setInterval(() => { if (this.connected) this.send(ping); }, Math.max(200, Math.floor(timeoutMs / 3)));
    // A forgotten session must not keep a CLI alive; pings only matter while something else runs.
    this.pinger.unref();
  }

  private send(payload: Buffer): void {
    const len = Buffer.alloc(4);
    len.writeInt32BE(payload.length);
    this.socket.write(Buffer.concat([len, payload]));
  }

  private receive(chunk: Buffer): void {
    this.inbox = this.inbox.length ? Buffer.concat([this.inbox, chunk]) : chunk;
    while (this.inbox.length >= 4) {
      const len = this.inbox.readInt32BE(0);
      if (len < 0 || len > 64 * 1024 * 1024) {
        this.teardown(new ZkWireError('protocol', `${this.server} sent a frame of ${len} bytes`, 'Is this a ZooKeeper client port?'));
        return;
      }
      if (this.inbox.length < 4 + len) return;
      const frame = this.inbox.subarray(4, 4 + len);
      this.inbox = this.inbox.subarray(4 + len);
      try {
        this.dispatch(Buffer.from(frame));
      } catch (err) {
        this.teardown(new ZkWireError('protocol', `${this.server} sent a reply zkpseudo cannot read: ${(err as Error).message}`, 'Is this a ZooKeeper client port?'));
        return;
      }
    }
  }

  private dispatch(frame: Buffer): void {
    if (!this.connected && this.onConnectResponse) {
      const handler = this.onConnectResponse;
      this.onConnectResponse = undefined;
      handler(frame);
      return;
    }
    const r = new JuteReader(frame);
    const xid = r.int();
    r.long(); // zxid
    const err = r.int();
    if (xid === Xid.ping) return;
    if (xid === Xid.notification) {
      this.notify({ type: r.int(), state: r.int(), path: r.string() ?? '' });
      return;
    }
    const p = this.pending.get(xid);
    if (!p) return;
    this.pending.delete(xid);
    clearTimeout(p.timer);
    if (err !== 0) p.reject(keeperError(err, p.what));
    else p.resolve(r);
  }

  private notify(e: WatchedEvent): void {
    const take = (map: Map<string, Watcher[]>) => { const w = map.get(e.path) ?? []; map.delete(e.path); return w; };
    const fire: Watcher[] = [];
    if (e.type === EventType.created || e.type === EventType.dataChanged || e.type === EventType.deleted) fire.push(...take(this.dataWatches));
    if (e.type === EventType.childrenChanged || e.type === EventType.deleted) fire.push(...take(this.childWatches));
    const seen = { ...e, path: this.local(e.path) };
    for (const w of fire) w(seen);
  }

  /** The server's path for a path of this session (below the chroot). */
  private full(path: string): string {
    const root = this.opts.chroot;
    if (!root) return path;
    return path === '/' ? root : `${root}${path}`;
  }

  /** This session's path for a server's path (the chroot taken off). */
  private local(path: string): string {
    const root = this.opts.chroot;
    if (!root) return path;
    if (path === root) return '/';
    return path.startsWith(`${root}/`) ? path.slice(root.length) : path;
  }

  private watch(map: Map<string, Watcher[]>, path: string, w?: Watcher): void {
    if (w) map.set(path, [...(map.get(path) ?? []), w]);
  }

  private request(type: number, body: Buffer, what: string, xid = this.nextXid++): Promise<JuteReader> {
    if (this.ended) return Promise.reject(new ZkWireError('closed', `${what}: the connection to ${this.server} is closed`, 'Open a new session.'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(xid);
        reject(new ZkWireError('timeout', `${what}: no reply from ${this.server} within ${this.requestTimeoutMs} ms`, 'Is the server serving? `zkpseudo status` says.'));
      }, this.requestTimeoutMs);
      this.pending.set(xid, { resolve, reject, what, timer });
      this.send(Buffer.concat([new JuteWriter().int(xid).int(type).toBuffer(), body]));
    });
  }

  async create(path: string, data: Buffer | string, opts: { acl?: Acl[]; flags?: number } = {}): Promise<string> {
    const w = new JuteWriter().string(this.full(path)).buffer(Buffer.from(data));
    writeAcl(w, opts.acl ?? OPEN_ACL);
    const r = await this.request(OpCode.create, w.int(opts.flags ?? 0).toBuffer(), `create ${path}`);
    const made = r.string();
    return made === null ? path : this.local(made);
  }

  async delete(path: string, version = -1): Promise<void> {
    await this.request(OpCode.delete, new JuteWriter().string(this.full(path)).int(version).toBuffer(), `delete ${path}`);
  }

  async exists(path: string, watch?: Watcher): Promise<Stat | null> {
    // Registered before the reply: ZooKeeper sets an exists watch even on a node that is not there.
    this.watch(this.dataWatches, this.full(path), watch);
    try {
      return readStat(await this.request(OpCode.exists, new JuteWriter().string(this.full(path)).bool(!!watch).toBuffer(), `exists ${path}`));
    } catch (err) {
      if (err instanceof ZkWireError && err.code === -101) return null;
      throw err;
    }
  }

  async getData(path: string, watch?: Watcher): Promise<{ data: Buffer; stat: Stat }> {
    const r = await this.request(OpCode.getData, new JuteWriter().string(this.full(path)).bool(!!watch).toBuffer(), `getData ${path}`);
    this.watch(this.dataWatches, this.full(path), watch);
    return { data: r.buffer() ?? Buffer.alloc(0), stat: readStat(r) };
  }

  async read(path: string): Promise<{ data: Buffer | null; stat: Stat }> {
    const r = await this.request(OpCode.getData, new JuteWriter().string(this.full(path)).bool(false).toBuffer(), `getData ${path}`);
    return { data: r.buffer(), stat: readStat(r) };
  }

  /** Whether the connection keeps the process alive (default true). */
  hold(on: boolean): void {
    if (on) this.socket?.ref();
    else this.socket?.unref();
  }

  async setData(path: string, data: Buffer | string, version = -1): Promise<Stat> {
    return readStat(await this.request(OpCode.setData, new JuteWriter().string(this.full(path)).buffer(Buffer.from(data)).int(version).toBuffer(), `setData ${path}`));
  }

  async getChildren(path: string, watch?: Watcher): Promise<string[]> {
    const r = await this.request(OpCode.getChildren, new JuteWriter().string(this.full(path)).bool(!!watch).toBuffer(), `getChildren ${path}`);
    this.watch(this.childWatches, this.full(path), watch);
    return (r.vector((rr) => rr.string() ?? '') ?? []).sort();
  }

  async getAcl(path: string): Promise<{ acl: Acl[]; stat: Stat }> {
    const r = await this.request(OpCode.getACL, new JuteWriter().string(this.full(path)).toBuffer(), `getACL ${path}`);
    return { acl: readAcl(r), stat: readStat(r) };
  }

  async getChildren2(path: string): Promise<{ names: string[]; stat: Stat }> {
    const r = await this.request(OpCode.getChildren2, new JuteWriter().string(this.full(path)).bool(false).toBuffer(), `getChildren ${path}`);
    const names = (r.vector((rr) => rr.string() ?? '') ?? []).sort();
    return { names, stat: readStat(r) };
  }

  async setAcl(path: string, acl: Acl[], version = -1): Promise<Stat> {
    const w = new JuteWriter().string(this.full(path));
    writeAcl(w, acl);
    return readStat(await this.request(OpCode.setACL, w.int(version).toBuffer(), `setACL ${path}`));
  }

  async sync(path: string): Promise<void> {
    await this.request(OpCode.sync, new JuteWriter().string(this.full(path)).toBuffer(), `sync ${path}`);
  }

  async multi(ops: MultiOp[]): Promise<MultiResult[]> {
    const sent = ops.map((o) => ({ ...o, path: this.full(o.path) }));
    const results = readMultiResponse(await this.request(OpCode.multi, multiRequest(sent), `multi of ${ops.length}`)).map((r) => (r.op === 'create' ? { ...r, path: this.local(r.path) } : r));
    // A multi that did not commit answers with an error result per operation: the first real one says why.
    const failed = results.findIndex((r) => r.op === 'error' && r.err !== 0 && r.err !== -2);
    if (failed >= 0) {
      const op = ops[failed];
      const err = keeperError((results[failed] as { err: number }).err, `multi: ${op?.op ?? 'operation'} ${op?.path ?? ''} (operation ${failed + 1} of ${ops.length}; none was applied)`);
      err.opIndex = failed;
      throw err;
    }
    return results;
  }

  async addAuth(scheme: string, auth: Buffer | string): Promise<void> {
    await this.request(OpCode.auth, new JuteWriter().int(0).string(scheme).buffer(Buffer.from(auth)).toBuffer(), `auth ${scheme}`, Xid.auth);
  }

  async close(waitMs = this.requestTimeoutMs): Promise<void> {
    if (this.ended) return;
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.request(OpCode.closeSession, Buffer.alloc(0), 'close session').catch(() => undefined),
      new Promise((resolve) => { timer = setTimeout(resolve, waitMs); }),
    ]);
    clearTimeout(timer);
    this.teardown();
  }

  onClose(cb: (err?: ZkWireError) => void): void {
    if (this.ended) cb();
    else this.closers.push(cb);
  }

  private teardown(err?: ZkWireError): void {
    if (this.ended) return;
    this.ended = true;
    this.connected = false;
    clearInterval(this.pinger);
    for (const [xid, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err ?? new ZkWireError('closed', `${p.what}: the session was closed`, 'Open a new session.'));
      this.pending.delete(xid);
    }
    this.socket?.destroy();
    for (const cb of this.closers) cb(err);
  }
}
