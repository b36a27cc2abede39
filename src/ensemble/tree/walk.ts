/**
 * Lists a subtree through one session, many requests in flight at once: a ZooKeeper server
 * answers a pipelined session in order and fast, so the walk costs about one round trip per
 * level, not per node.
 */
import { zkErrorName, type ReadWhat, type TreeSession as Session, type Stat } from '../../edge/zkclient.js';
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
  /** Every node found; a parent before its children. */
  nodes: Visited[];
  /** Nodes whose ACL kept this session from listing or reading them (NO_AUTH). */
  unreadable: string[];
}

/** Requests in flight at once: enough to fill the pipe, few enough that answers stay small. */
const IN_FLIGHT = 128;

export interface WalkOptions {
  /** Subtrees to leave out. */
  skip?: (path: string) => boolean;
  /** Read each node's data and ACL too. */
  content?: boolean;
  /** The servers take multiRead (3.6+): list a whole level in a few requests. */
  multiRead?: boolean;
}

/**
 * Walks `root` and everything under it, except subtrees `skip` names. Nodes deleted meanwhile
 * are left out; nodes the session may not read are listed in `unreadable`; any other error
 * (a lost connection) ends the walk with that error.
 */
export async function walk(session: Session, root: string, opts: WalkOptions = {}): Promise<Walk> {
  if (opts.multiRead && !opts.content) return walkByLevel(session, root, opts.skip);
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

/** Nodes per multiRead: answers of some tens of kilobytes for small nodes. */
const PER_READ = 1000;

/** One kind of read for every path, in requests of PER_READ nodes sent together. */
async function readAll(session: Session, paths: string[], what: ReadWhat) {
  const chunks = Array.from({ length: Math.ceil(paths.length / PER_READ) }, (_, i) => paths.slice(i * PER_READ, (i + 1) * PER_READ));
  return (await Promise.all(chunks.map((c) => session.readMany(c, what)))).flat();
}

/** A level this small is read and listed in one request: a round trip costs more than its few listings. */
const SMALL_LEVEL = 100;

/**
 * The walk with multiRead. A server runs every request through its pipeline of threads, and
 * that trip, per node, was most of a reset's time; here a level costs one or two requests per
 * PER_READ nodes. A small level (the top of most trees) is read and listed at once; a big one
 * in two steps — every node's stat (getData), then the children of the nodes whose stat says
 * they have some — since most nodes of a big level are leaves, and listing them all would
 * double what the server is asked.
 */
async function walkByLevel(session: Session, root: string, skip?: (path: string) => boolean): Promise<Walk> {
  const nodes: Visited[] = [];
  const unreadable: string[] = [];
  const failed = (path: string, error: string) => {
    if (error === 'NO_AUTH') unreadable.push(path);
    else if (error !== 'NO_NODE') throw new Error(`reading ${path}: ${error}`);
  };
  for (let level = [root]; level.length;) {
    const next: string[] = [];
    const found = (path: string, stat: Stat, names: string[]) => {
      nodes.push({ path, stat, names });
      for (const name of names) {
        const child = childPath(path, name);
        if (!skip?.(child)) next.push(child);
      }
    };
    if (level.length <= SMALL_LEVEL) {
      (await readAll(session, level, { data: true, children: true })).forEach((r, i) => ('error' in r ? failed(level[i]!, r.error) : found(level[i]!, r.stat!, r.names!)));
    } else {
      const parents: { path: string; stat: Stat }[] = [];
      (await readAll(session, level, { data: true })).forEach((r, i) => {
        const path = level[i]!;
        if ('error' in r) failed(path, r.error);
        else if (r.stat!.numChildren > 0) parents.push({ path, stat: r.stat! });
        else nodes.push({ path, stat: r.stat!, names: [] });
      });
      (await readAll(session, parents.map((p) => p.path), { children: true })).forEach((r, i) => ('error' in r ? failed(parents[i]!.path, r.error) : found(parents[i]!.path, parents[i]!.stat, r.names!)));
    }
    level = next;
  }
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
