/** `dump [PATH]`: a subtree as a tree file (see tree-file.ts), read as the super user so no ACL hides a node. */
import { zkErrorName } from '../../edge/zkclient.js';
import { UsageError, ZkpseudoError } from '../../errors.js';
import { isReserved, kindOf, SEQUENCE_SUFFIX, znodePathProblem } from '../../zk/znodes.js';
import { renderTreeFile, sortTree, type TreeNode } from './tree-file.js';
import { withSession, type TreeTarget } from './target.js';
import { walk, type Visited } from './walk.js';

export interface DumpResult {
  /** The subtree dumped. */
  path: string;
  /** Its nodes, `path` itself included unless it is `/`, parents first. */
  nodes: TreeNode[];
  /** The tree file, as `dump` writes it. */
  text: string;
}

function toNode(v: Visited): TreeNode {
  const kind = kindOf(v.stat.ephemeralOwner);
  const name = v.path.slice(v.path.lastIndexOf('/') + 1);
  return {
    path: v.path,
    data: v.data ?? null,
    acl: v.acl ?? [],
    kind: kind.kind,
    ...(kind.ttlMs !== undefined ? { ttlMs: kind.ttlMs } : {}),
    sequential: SEQUENCE_SUFFIX.test(name),
  };
}

/** Reads the subtree at `root` (default `/`, ZooKeeper's own /zookeeper left out). */
export async function dumpTree(target: TreeTarget, root = '/'): Promise<DumpResult> {
  const problem = znodePathProblem(root);
  if (problem) throw new UsageError(`dump: "${root}" ${problem}.`, 'Give an absolute znode path, like /app (default /).');
  if (isReserved(root)) throw new UsageError(`dump: ${root} is ZooKeeper's own tree, which seed could not create again.`, 'Dump / or a path of your own.');
  return withSession(target, async (session) => {
    const found = await walk(session, root, { skip: isReserved, content: true });
    if (found.unreadable.length) {
      throw new ZkpseudoError(
        `dump: ${found.unreadable.length} znode${found.unreadable.length === 1 ? '' : 's'} of ${target.label} could not be read (${found.unreadable.slice(0, 5).join(', ')}${found.unreadable.length > 5 ? ', …' : ''}): their ACLs forbid it.`,
        `A dump without them would not be the tree; ${target.noSuper}.`,
      );
    }
    if (!found.nodes.length) {
      // Either it is not there, or it vanished between the listing and the read.
      const gone = await session.children(root).then(() => false, (err: unknown) => zkErrorName(err) === 'NO_NODE');
      if (gone) throw new ZkpseudoError(`dump: there is no znode ${root} on ${target.label}.`, 'Give a path that exists (`zkpseudo dump /` shows them all).');
    }
    const nodes = sortTree(found.nodes.filter((v) => v.path !== '/').map(toNode));
    return { path: root, nodes, text: renderTreeFile(nodes, root) };
  });
}
