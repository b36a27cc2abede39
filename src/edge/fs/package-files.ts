/**
 * Files shipped in zkpseudo's package — the zoo.cfg template, the ensemble files, the helper
 * programs, package.json — found from wherever this module runs: the ES module build (dist/),
 * the CommonJS build (dist/cjs/), or the TypeScript sources (src/, as the tests run them).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MODULE_PATH } from './module-path.js';

let root: string | undefined;

/** The package's root: the nearest directory above this module whose package.json is zkpseudo's. */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = path.dirname(MODULE_PATH); ; dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'zkpseudo') return (root = dir);
    } catch {
      // No package.json here (or dist/cjs/'s, which has no name): look further up.
    }
    if (path.dirname(dir) === dir) throw new Error(`zkpseudo's package.json was not found above ${MODULE_PATH}`);
  }
}

/** A file shipped with the package, like packageFile('templates', 'zoo.cfg.hbs'). */
export function packageFile(...parts: string[]): string {
  return path.join(packageRoot(), ...parts);
}

/**
 * A helper program (`*-main.js`: the lease watcher, the fault proxy, the CDS builder) of the ES
 * module build, which is what `node` runs as a separate process whichever build asked: from
 * the CommonJS build and from the TypeScript sources alike.
 */
export function helperScript(relative: string): string {
  return packageFile('dist', relative);
}
