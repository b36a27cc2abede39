/**
 * The tree commands' session on an ensemble node-zookeeper-client cannot reach (TLS only, or
 * SASL enforced): zkpseudo's own client (edge/zkwire) behind the part of zkclient's Session
 * that reset, dump, seed and namespaces use. Its errors look like node-zookeeper-client's
 * (`code` a number, `name` such as NO_NODE) and a failed multi is a MultiError, so the tree
 * code reads them as it does the other client's. It has no multiRead: its targets walk node
 * by node (`multiRead: false`).
 */
import type { Stat } from 'node-zookeeper-client';
import { MultiError, zkCodeName, type CreateKind, type MultiOp, type TreeSession } from '../../edge/zkclient.js';
import { ZkWireError } from '../../edge/zkwire/errors.js';
import { CreateFlags, type MultiOp as WireOp, type Stat as WireStat } from '../../edge/zkwire/records.js';
import type { Session as Wire } from '../../edge/zkwire/session.js';

const FLAGS: Record<CreateKind, number> = { persistent: CreateFlags.persistent, ephemeral: CreateFlags.ephemeral, container: CreateFlags.container, ttl: CreateFlags.persistentWithTtl };

function long(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}

/** zkwire's Stat (bigints) as node-zookeeper-client's (8-byte buffers for the longs). */
export function toClientStat(s: WireStat): Stat {
  return {
    czxid: long(s.czxid), mzxid: long(s.mzxid), ctime: long(s.ctime), mtime: long(s.mtime), version: s.version, cversion: s.cversion, aversion: s.aversion,
    ephemeralOwner: long(s.ephemeralOwner), dataLength: s.dataLength, numChildren: s.numChildren, pzxid: long(s.pzxid),
  } as unknown as Stat;
}

/** A server's refusal as node-zookeeper-client names it (`NO_NODE`); any other failure as it was. */
function translate(err: unknown): unknown {
  if (!(err instanceof ZkWireError) || err.code === undefined) return err;
  const name = zkCodeName(err.code);
  if (!name) return err;
  return Object.assign(new Error(err.message, { cause: err }), { code: err.code, name });
}

function wireOp(op: MultiOp): WireOp {
  if (op.op === 'delete') return { op: 'delete', path: op.path };
  if (op.op === 'check') return { op: 'check', path: op.path, version: -1 };
  return { op: 'create', path: op.path, data: op.data, acl: [...op.acl], flags: FLAGS[op.kind], ...(op.ttlMs !== undefined ? { ttlMs: op.ttlMs } : {}) };
}

export function treeSession(wire: Wire): TreeSession {
  let open = true;
  const lost: (() => void)[] = [];
  wire.onClose(() => {
    open = false;
    for (const fn of lost.splice(0)) setImmediate(fn);
  });
  const call = <T>(p: Promise<T>): Promise<T> => p.catch((err: unknown) => { throw translate(err); });
  return {
    create: (path, data, mode) => call(wire.create(path, data, { flags: mode })),
    exists: (path) => call(wire.exists(path)).then((s) => (s ? toClientStat(s) : null)),
    remove: (path, version = -1) => call(wire.delete(path, version)),
    children: (path) => call(wire.getChildren2(path)).then((r) => ({ names: r.names, stat: toClientStat(r.stat) })),
    read: (path) => call(wire.read(path)).then((r) => ({ data: r.data, stat: toClientStat(r.stat) })),
    acl: (path) => call(wire.getAcl(path)).then((r) => r.acl.map((a) => ({ scheme: a.scheme, id: a.id, perms: a.perms }))),
    setAcl: (path, acl) => call(wire.setAcl(path, acl.map((a) => ({ ...a })))).then(() => undefined),
    write: (path, data) => call(wire.setData(path, data ?? Buffer.alloc(0))).then(() => undefined),
    multi: (ops) => wire.multi(ops.map(wireOp)).then(() => undefined, (err: unknown) => {
      if (err instanceof ZkWireError && err.opIndex !== undefined && err.code !== undefined) throw new MultiError(err.opIndex, zkCodeName(err.code) ?? err.codeName ?? String(err.code), ops[err.opIndex]?.path);
      throw translate(err);
    }),
    readMany: () => Promise.reject(new Error('this session has no multiRead: walk node by node (multiRead: false)')),
    sync: (path = '/') => call(wire.sync(path)),
    // Sent at once; the server applies it before this session's later requests.
    authenticate: (scheme, credential) => { void wire.addAuth(scheme, credential).catch(() => undefined); },
    connected: () => open,
    hold: (on) => wire.hold(on),
    onLost: (fn) => {
      if (!open) {
        setImmediate(fn);
        return () => undefined;
      }
      lost.push(fn);
      return () => { const i = lost.indexOf(fn); if (i >= 0) lost.splice(i, 1); };
    },
    close: () => { void wire.close(); },
  };
}
