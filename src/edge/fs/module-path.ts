/**
 * This module's own file: the one place zkpseudo reads `import.meta`, which CommonJS cannot
 * even parse. The CommonJS build (scripts/build-cjs.mjs) replaces this file's output with one
 * that exports `__filename`; everything else finds the package's files from here
 * (package-files.ts), so one source serves both builds.
 */
import { fileURLToPath } from 'node:url';

// @ts-ignore -- the CommonJS build type-checks this line too, where import.meta is an error; its output is replaced there.
export const MODULE_PATH: string = fileURLToPath(import.meta.url);
