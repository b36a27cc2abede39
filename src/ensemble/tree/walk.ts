/**
 * Lists a subtree through one session, many requests in flight at once: a ZooKeeper server
 * answers a pipelined session in order and fast, so the walk costs about one round trip per
 * level, not per node.
 */
import { zkErrorName, type Session, type Stat } from '../../edge/zkclient.js';
import { childPath, type AclEntry } from '../../zk/znodes.js';

export interface Visited {
  path: string;
  stat: Stat;
  /** Children's names, as ZooKeeper listed them. */
  names: string[];
  /** With `content`: the node's bytes (null when it has none) and ACL. */
  data?: Buffer | null;
  acl?: AclEntry[];
}

export interface Walk {
  /** Every node found, each parent before its children (a child is asked for once its parent has answered). */
  nodes: Visited[];
  /** Nodes whose ACL kept this session from listing or reading them (NO_AUTH). */
  unreadable: string[];
}

/** Requests in flight at once: enough to fill the pipe, few enough that answers stay small. */
const IN_FLIGHT = 128;

/**
 * Walks `root` and everything under it, except subtrees `skip` names. Nodes deleted meanwhile
 * are left out; nodes the session may not read are listed in `unreadable`; any other error
 * (a lost connection) ends the walk with that error.
 */
export async function walk(session: Session, root: string, opts: { skip?: (path: string) => boolean; content?: boolean } = {}): Promise<Walk> {
  const nodes: Visited[] = [];
  const unreadable: string[] = [];
  const queue = [root];
  let head = 0;
  let active = 0;
  let failure: unknown;
  const visit = async (path: string) => {
    const [listed, read, acl] = await Promise.all([
      session.children(path),
      opts.content ? session.read(path) : undefined,
      opts.content ? session.acl(path) : undefined,
    ]);
    nodes.push({ path, stat: listed.stat, names: listed.names, ...(read ? { data: read.data } : {}), ...(acl ? { acl } : {}) });
    for (const name of listed.names) {
      const child = childPath(path, name);
      if (!opts.skip?.(child)) queue.push(child);
    }
  };
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (!failure && active < IN_FLIGHT && head < queue.length) {
        const path = queue[head++]!;
        active++;
        visit(path)
          .catch((err: unknown) => {
            const code = zkErrorName(err);
            if (code === 'NO_AUTH') unreadable.push(path);
            else if (code !== 'NO_NODE') failure ??= err;
          })
          .finally(() => {
            active--;
            if (!active && (failure || head >= queue.length)) resolve();
            else pump();
          });
      }
    };
    pump();
    if (!active) resolve();
  });
  if (failure) throw failure;
  return { nodes, unreadable };
}

/** `fn` over every item, at most IN_FLIGHT at once (for per-node requests such as `exists`), results in order. */
export async function mapLimited<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
  return results;
}
