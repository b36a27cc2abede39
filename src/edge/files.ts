/** Small file-system questions asked in several places. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when something exists at `p` (a file, a directory, anything stat can see). */
export function pathExists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/**
 * The path of a helper program shipped beside `metaUrl`'s module (the lease watcher, the
 * fault proxy). Run from the TypeScript sources (as the tests do), the compiled helper under
 * dist/ is the one that exists.
 */
export function helperScript(metaUrl: string, relative: string): string {
  const js = fileURLToPath(new URL(relative, metaUrl));
  if (!fileURLToPath(metaUrl).endsWith('.ts')) return js;
  return js.replace(`${path.sep}src${path.sep}`, `${path.sep}dist${path.sep}`);
}
