/**
 * Deleting subtrees fast: one walk, then deletes in batched multis, children before parents,
 * every batch sent at once. What a live client does meanwhile (a new
 * child, a node already gone) is met by deleting that batch one node at a time and walking
 * again; what an ACL forbids is reported, not retried.
 */
import { MultiError, zkErrorName, type TreeSession as Session } from '../../edge/zkclient.js';
import { ancestorsOf, kindOf } from '../../zk/znodes.js';
import { deleteBytes, planBatches, runBatches } from './batches.js';
import { deepestFirst } from './tree-file.js';
import { walk, type Visited, type WalkOptions } from './walk.js';

export interface Removal {
  deleted: number;
  /** How many of those were ephemeral nodes of live sessions (their owners may create them again). */
  ephemerals: number;
  /** Nodes left in place, with ZooKeeper's reason: NO_AUTH where no super user could act, NOT_EMPTY where children kept coming. */
  refused: { path: string; code: string }[];
}

/** Walks (and deletes) at most this often: a client that keeps creating children is not chased forever. */
const PASSES = 3;

async function deleteNodes(session: Session, nodes: Visited[]) {
  const deleted: Visited[] = [];
  const refused: { path: string; code: string }[] = [];
  const notEmpty: string[] = [];
  // Deepest first: every node after all of its descendants (see batches.ts for why the
  // batches need not wait for one another).
  const items = deepestFirst(nodes).map((v) => ({ path: v.path, bytes: deleteBytes(v.path), v }));
  await runBatches(planBatches(items), async (batch) => {
    try {
      await session.multi(batch.map((i) => ({ op: 'delete' as const, path: i.path })));
      deleted.push(...batch.map((i) => i.v));
      return;
    } catch (err) {
      if (!(err instanceof MultiError)) throw err;
    }
    // The batch as a whole was refused: each node on its own, still children first (one
    // session's requests are applied in the order they were sent).
    const one = await Promise.allSettled(batch.map((i) => session.remove(i.path)));
    one.forEach((r, k) => {
      const item = batch[k]!;
      if (r.status === 'fulfilled') deleted.push(item.v);
      else {
        const code = zkErrorName(r.reason);
        if (!code) throw r.reason;
        if (code === 'NOT_EMPTY') notEmpty.push(item.path);
        else if (code !== 'NO_NODE') refused.push({ path: item.path, code });
      }
    });
  });
  return { deleted, refused, notEmpty };
}

/**
 * Deletes `root` and everything under it except the subtrees `skip` names; `spare` names nodes
 * that are walked through but kept (`/` itself, the ancestors of a kept path).
 */
export async function removeTree(session: Session, root: string, opts: Pick<WalkOptions, 'skip' | 'multiRead'> & { spare?: (path: string) => boolean } = {}): Promise<Removal> {
  const total: Removal = { deleted: 0, ephemerals: 0, refused: [] };
  for (let pass = 1; ; pass++) {
    const found = await walk(session, root, opts);
    // A node this session may not list cannot be emptied, so neither can its ancestors.
    const blocked = new Set(found.unreadable.flatMap((p) => [p, ...ancestorsOf(p)]));
    const doomed = found.nodes.filter((v) => v.path !== '/' && !blocked.has(v.path) && !opts.spare?.(v.path));
    const r = await deleteNodes(session, doomed);
    total.deleted += r.deleted.length;
    total.ephemerals += r.deleted.filter((v) => kindOf(v.stat.ephemeralOwner).kind === 'ephemeral').length;
    total.refused.push(...found.unreadable.map((path) => ({ path, code: 'NO_AUTH' })), ...r.refused);
    if (!r.notEmpty.length) return total;
    if (pass === PASSES || r.refused.length || found.unreadable.length) {
      total.refused.push(...r.notEmpty.map((path) => ({ path, code: 'NOT_EMPTY' })));
      return total;
    }
  }
}
