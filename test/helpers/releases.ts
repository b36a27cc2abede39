/**
 * The loopback mirror of real releases other than the installed one (global-setup builds them
 * from Debian's archive, see debian-builds.ts). A test that needs a release fails — never
 * skips — when it could not be built here: CI must say so.
 */
import { inject } from 'vitest';

/** The mirror's URL, once every release in `versions` is known to be on it. */
export function releasesMirror(versions: readonly string[], who: string): string {
  const problems = inject('versionProblems');
  const url = inject('versionsMirrorUrl');
  for (const v of versions) {
    if (problems[v] !== null || !url) throw new Error(`ZooKeeper ${v} is not available to ${who}: ${problems[v] ?? 'no versions mirror'}`);
  }
  return url!;
}
