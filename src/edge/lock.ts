/** Cross-process locks (proper-lockfile): one `up`/`down` per ensemble, one download per tarball. */
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ZkpseudoError } from '../errors.js';
import { mkdirOwned } from './owned-fs.js';

/**
 * Runs `fn` holding a lock on `target` (a `<target>.lock` directory), waiting up to
 * `waitMs` for another holder. A holder that died leaves a lock that goes stale after 10 s.
 */
export async function withLock<T>(target: string, what: string, fn: () => Promise<T>, waitMs = 120_000): Promise<T> {
  await mkdirOwned(path.dirname(target), path.dirname(target));
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      realpath: false,
      stale: 10_000,
      update: 2_000,
      retries: { retries: Math.ceil(waitMs / 250), factor: 1, minTimeout: 250, maxTimeout: 250 },
    });
  } catch (err) {
    throw new ZkpseudoError(
      `Another zkpseudo process is working on ${what} and did not finish within ${Math.round(waitMs / 1000)} s.`,
      `Wait for it to finish, or remove ${target}.lock if no zkpseudo process is running.`,
      undefined,
      { cause: err },
    );
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
