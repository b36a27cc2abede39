/**
 * `reset`: the tree back to empty between tests, much faster than a new ensemble. Every znode
 * but ZooKeeper's own /zookeeper goes — nodes whose ACL forbids the caller too (the ensemble's
 * super user is let past every ACL), and ephemeral nodes of live sessions (counted: their
 * owners may create them again) — and so do the quota entries of the paths removed. A
 * parent's sequence counter restarts when the parent is created again; `/` cannot be deleted,
 * so the counter of nodes made directly under it keeps counting.
 */
import { UsageError } from '../../errors.js';
import { ResetIncompleteError } from './errors.js';
import type { TreeSession as Session } from '../../edge/zkclient.js';
import { isAtOrUnder, isOpenAcl, isReserved, OPEN_ACL, QUOTA_LEAVES, QUOTA_ROOT, ancestorsOf, parentOf, znodePathProblem } from '../../zk/znodes.js';
import { removeTree, type Removal } from './remove.js';
import { withSession, type TreeTarget } from './target.js';
import { walk } from './walk.js';

export interface ResetResult {
  /** Znodes deleted, ephemeral ones included. */
  deleted: number;
  /** Of those, ephemeral nodes of live sessions: their owners may create them again. */
  ephemerals: number;
  /** Quota entries (/zookeeper/quota/<path>) removed with their paths. */
  quotas: number;
  /** The subtrees kept, as asked. */
  kept: string[];
  /** What of `/` itself was put back as a new ensemble has it: its ACL, its data. */
  restored: ('acl' | 'data')[];
  ms: number;
}

/** Checks the --keep paths; throws a UsageError naming each bad one. */
export function checkKeep(keep: readonly string[]): string[] {
  const problems = keep.flatMap((k) => {
    const p = znodePathProblem(k);
    if (p) return [`"${k}" ${p}`];
    if (k === '/') return ['"/" would keep everything; name the subtrees to keep'];
    if (isReserved(k)) return [`"${k}" is in /zookeeper, which reset never touches`];
    return [];
  });
  if (problems.length) throw new UsageError(`--keep: ${problems.join('; ')}.`, 'Give absolute znode paths, like --keep /config.');
  return [...new Set(keep)];
}

/** Removes the quota entries of paths that were removed; returns how many went. */
async function resetQuotas(session: Session, kept: string[], multiRead: boolean): Promise<Removal & { quotas: number }> {
  const { nodes } = await walk(session, QUOTA_ROOT, { multiRead });
  const target = (q: string) => q.slice(QUOTA_ROOT.length) || '/';
  // A quota stays when its path stays: `/`, a kept subtree, or an ancestor of one.
  const stays = (p: string) => p === '/' || kept.some((k) => isAtOrUnder(p, k) || isAtOrUnder(k, p));
  const entries = nodes.filter((v) => v.names.some((n) => (QUOTA_LEAVES as readonly string[]).includes(n)));
  if (!entries.length) return { deleted: 0, ephemerals: 0, refused: [], quotas: 0 };
  const keptEntries = entries.filter((e) => stays(target(e.path))).map((e) => e.path);
  const spared = new Set([QUOTA_ROOT, ...keptEntries.flatMap((e) => [e, ...ancestorsOf(e), ...QUOTA_LEAVES.map((l) => `${e}/${l}`)])]);
  const removal = await removeTree(session, QUOTA_ROOT, { spare: (q) => spared.has(q), multiRead });
  return { ...removal, quotas: entries.length - keptEntries.length };
}

/** `/` as a new ensemble has it: ACL world:anyone:cdrwa, data empty (not absent). */
async function restoreRoot(session: Session): Promise<('acl' | 'data')[]> {
  const [acl, { data }] = await Promise.all([session.acl('/'), session.read('/')]);
  const restored: ('acl' | 'data')[] = [];
  if (!isOpenAcl(acl)) {
    await session.setAcl('/', OPEN_ACL);
    restored.push('acl');
  }
  if (data === null || data.length) {
    await session.write('/', Buffer.alloc(0));
    restored.push('data');
  }
  return restored;
}

/** Empties the tree but for /zookeeper and the `keep` subtrees; throws ResetIncompleteError if anything stayed. */
export async function resetTree(target: TreeTarget, opts: { keep?: readonly string[] } = {}): Promise<ResetResult> {
  const started = performance.now();
  const kept = checkKeep(opts.keep ?? []);
  const keptAncestors = new Set(kept.flatMap((k) => [parentOf(k), ...ancestorsOf(k)]));
  return withSession(target, async (session) => {
    // The tree, the quota entries and / itself are independent: all at once, on one session.
    const [removal, quotas, restored] = await Promise.all([
      removeTree(session, '/', { skip: (p) => isReserved(p) || kept.includes(p), spare: (p) => keptAncestors.has(p), multiRead: target.multiRead }),
      resetQuotas(session, kept, target.multiRead),
      restoreRoot(session),
    ]);
    const refused = [...removal.refused, ...quotas.refused];
    if (refused.length) throw new ResetIncompleteError(target, refused, 'reset');
    return {
      deleted: removal.deleted,
      ephemerals: removal.ephemerals,
      quotas: quotas.quotas,
      kept,
      restored,
      ms: Math.round(performance.now() - started),
    };
  });
}
