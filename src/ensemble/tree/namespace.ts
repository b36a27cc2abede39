/**
 * A namespace per test: a fresh node at the top of the tree and the connect string with it as
 * chroot, so two tests running side by side each see a tree of their own. `close()` deletes
 * it with everything under it (as the super user, so nothing a test made can stay behind);
 * `await using ns = await zk.namespace()` closes it when the block ends.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { removeTree } from './remove.js';
import { ResetIncompleteError } from './errors.js';
import { withSession, type TreeTarget } from './target.js';

export interface Namespace {
  /** The ensemble's connect string with this namespace as chroot: `127.0.0.1:…,127.0.0.1:…/ns-1f2e3d4c5b6a`. */
  readonly connectString: string;
  /** The namespace's node, as seen without the chroot: `/ns-1f2e3d4c5b6a`. */
  readonly path: string;
  /** Deletes the namespace and everything under it; a second call does nothing more. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Creates a namespace `/<prefix>-<12 hex digits>` on the target. */
export async function openNamespace(target: TreeTarget, prefix = 'ns'): Promise<Namespace> {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new UsageError(`namespace(${JSON.stringify(prefix)}): not a usable prefix.`, 'Use letters, digits, ".", "_" and "-" (up to 64), starting with a letter or digit; default "ns".');
  }
  // The target's own chroot, if its connect string has one, is where the namespace lives.
  const slash = target.connectString.indexOf('/');
  const chroot = slash < 0 ? '' : target.connectString.slice(slash).replace(/\/$/, '');
  const path = `/${prefix}-${randomBytes(6).toString('hex')}`;
  await withSession(target, (s) => s.create(path, '', 0).then(() => undefined));
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= withSession(target, async (s) => {
    const r = await removeTree(s, path, { multiRead: target.multiRead });
    if (r.refused.length) throw new ResetIncompleteError(target, r.refused, `closing namespace ${path}`);
  }));
  // Node's Symbol.asyncDispose (20.4+); the same symbol `await using` looks up once compiled.
  return { connectString: `${target.connectString.replace(/\/$/, '')}${path}`, path: `${chroot}${path}`, close, [Symbol.asyncDispose]: close };
}
