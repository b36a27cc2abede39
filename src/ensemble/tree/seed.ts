/**
 * `seed FILE`: creates a tree file's nodes, parents first, in batched multis — each batch
 * happens whole or not at all. Everything that can be known beforehand is checked before the
 * first write: the file itself (tree-file.ts), and which of its paths exist already (an error
 * unless `replace`, which first removes those subtrees).
 */
import { readUserText } from '../../edge/fs/user-file.js';
import { MultiError, type TreeSession as Session } from '../../edge/zkclient.js';
import { UsageError, ZkpseudoError } from '../../errors.js';
import { ancestorsOf, OPEN_ACL, parentOf } from '../../zk/znodes.js';
import { createBytes, planBatches, runBatches } from './batches.js';
import { removeTree } from './remove.js';
import { ResetIncompleteError } from './errors.js';
import { withSession, type TreeTarget } from './target.js';
import { parseTreeFile, shallowestFirst, sortTree, treeFromObject, type TreeNode } from './tree-file.js';
import { mapLimited } from './walk.js';

export interface SeedResult {
  /** Znodes created, missing ancestors included. */
  created: number;
  /** Ancestors of the file's nodes that did not exist, created empty with the open ACL. */
  ancestors: string[];
  /** With `replace`: the existing subtrees removed before creating. */
  replaced: string[];
  /**
   * Ephemeral nodes in the file, not created: an ephemeral node belongs to the session that
   * makes it and would vanish when seed's session closes.
   */
  skippedEphemerals: string[];
  ms: number;
}

/** A dump of 10,000 small znodes is about a megabyte; this leaves room for big data without reading a runaway stream whole. */
const MAX_TREE_FILE_BYTES = 64 * 1024 * 1024;

/** Reads and checks a tree file; a file that cannot be read is a usage error (exit 64). */
export async function loadTreeFile(file: string): Promise<TreeNode[]> {
  const read = await readUserText(file, MAX_TREE_FILE_BYTES);
  if ('problem' in read) throw new UsageError(`Cannot read the seed file ${file}: ${read.problem}.`, 'Give the path of a file `zkpseudo dump` wrote, or one in that shape.');
  return parseTreeFile(read.text, file);
}

/** A tree given to the library: a file's path, or an object in the file's shape. */
export function treeInput(input: unknown): Promise<TreeNode[]> {
  return typeof input === 'string' ? loadTreeFile(input) : Promise.resolve(treeFromObject(input));
}

const WHY: Record<string, (t: TreeTarget) => [string, string]> = {
  NODE_EXISTS: () => ['it exists already (created meanwhile?)', 'Run the seed again with --replace, or `zkpseudo reset` first.'],
  NO_NODE: () => ['its parent is missing (deleted meanwhile?)', 'Run the seed again.'],
  NO_AUTH: (t) => ['its parent\'s ACL forbids creating it', `${t.noSuper[0]!.toUpperCase()}${t.noSuper.slice(1)}.`],
  INVALID_ACL: () => ['ZooKeeper refused its ACL', 'Check the acl entries (scheme:id:perms) of that node.'],
  UNIMPLEMENTED: () => ['TTL nodes are off on these servers', 'TTL nodes need the servers started with extendedTypesEnabled=true: `zkpseudo up --config extendedTypesEnabled=true` on a new ensemble.'],
  BAD_ARGUMENTS: () => ['ZooKeeper refused its arguments (a TTL out of range?)', 'Check that node in the file.'],
  NO_CHILDREN_FOR_EPHEMERALS: () => ['its parent is an ephemeral node, which cannot have children', 'Remove it from the file or give it another parent.'],
};

/** Why a batch failed, as an error naming the node, the reason and what was done before it. */
function seedFailure(target: TreeTarget, err: unknown, created: number): ZkpseudoError {
  const done = `${created} znode${created === 1 ? ' was' : 's were'} created before it (each batch whole or not at all)`;
  if (err instanceof MultiError) {
    const [why, hint] = WHY[err.code]?.(target) ?? [`ZooKeeper said ${err.code}`, 'Check that node in the file.'];
    return new ZkpseudoError(`seed stopped at ${err.path}: ${why}; ${done}.`, hint);
  }
  return new ZkpseudoError(`seed stopped: ${(err as Error).message}; ${done}.`, target.unreachableHint, undefined, { cause: err });
}

async function existing(session: Session, paths: string[]): Promise<Set<string>> {
  const found = await mapLimited(paths, async (p) => ((await session.exists(p)) ? p : undefined));
  return new Set(found.filter((p): p is string => !!p));
}

/** Creates the tree's nodes on the target; throws before writing anything when paths exist (unless `replace`). */
export async function seedTree(target: TreeTarget, tree: TreeNode[], opts: { replace?: boolean } = {}): Promise<SeedResult> {
  const started = performance.now();
  const skippedEphemerals = tree.filter((n) => n.kind === 'ephemeral').map((n) => n.path);
  const nodes = sortTree(tree.filter((n) => n.kind !== 'ephemeral'));
  const inFile = new Set(nodes.map((n) => n.path));
  const tops = nodes.filter((n) => !inFile.has(parentOf(n.path)));
  return withSession(target, async (session) => {
    const ancestorCandidates = [...new Set(tops.flatMap((n) => ancestorsOf(n.path)))];
    const [present, presentAncestors] = await Promise.all([existing(session, nodes.map((n) => n.path)), existing(session, ancestorCandidates)]);
    if (present.size && !opts.replace) {
      const shown = [...present].slice(0, 5).join(', ');
      throw new ZkpseudoError(
        `seed: ${present.size} of the tree's paths exist on ${target.label} already (${shown}${present.size > 5 ? ', …' : ''}); nothing was written.`,
        'Run it with --replace to replace those subtrees, or `zkpseudo reset` first.',
      );
    }
    // Replace: the topmost existing nodes of the file go, with everything under them.
    const replaced = nodes.map((n) => n.path).filter((p) => present.has(p) && !ancestorsOf(p).some((a) => present.has(a)));
    for (const p of replaced) {
      const r = await removeTree(session, p, { multiRead: target.multiRead });
      if (r.refused.length) throw new ResetIncompleteError(target, r.refused, `seed --replace of ${p}`);
    }
    const ancestors = ancestorCandidates.filter((a) => !presentAncestors.has(a)).sort();
    const plain = (path: string): TreeNode => ({ path, data: null, acl: [...OPEN_ACL], kind: 'persistent', sequential: false });
    // Shallowest first: every node after its parent (see batches.ts for why the batches need not wait for one another).
    const items = shallowestFirst([...ancestors.map(plain), ...nodes]).map((n) => ({ bytes: createBytes(n.path, n.data, n.acl), n }));
    let created = 0;
    try {
      created = await runBatches(planBatches(items), async (batch) => {
        await session.multi(batch.map(({ n }) => ({ op: 'create' as const, path: n.path, data: n.data, acl: n.acl, kind: n.kind, ...(n.ttlMs !== undefined ? { ttlMs: n.ttlMs } : {}) })));
      });
    } catch (err) {
      throw seedFailure(target, err, (err as { committed?: number }).committed ?? 0);
    }
    return { created, ancestors, replaced, skippedEphemerals, ms: Math.round(performance.now() - started) };
  });
}
