#!/usr/bin/env node
// The CommonJS build: tsc with tsconfig.cjs.json into dist/cjs, then two things tsc cannot do.
// 1. dist/cjs/package.json says {"type":"commonjs"}, so Node and Jest read those .js files as
//    CommonJS inside a package whose own type is "module".
// 2. edge/fs/module-path.js, the one module that reads import.meta (CommonJS cannot parse it), is
//    replaced by one that exports __filename (see src/edge/fs/module-path.ts).
// It fails if any other CommonJS module mentions import.meta, so a new use cannot slip in.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'cjs');
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.cjs.json')], { stdio: 'inherit' });
writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);

const modulePath = path.join(out, 'edge', 'fs', 'module-path.js');
if (!readFileSync(modulePath, 'utf8').includes('import.meta.url')) throw new Error(`${modulePath} no longer reads import.meta.url: update scripts/build-cjs.mjs`);
writeFileSync(modulePath, [
  '"use strict";',
  '// This module\'s own file, for the CommonJS build (written by scripts/build-cjs.mjs; see src/edge/fs/module-path.ts).',
  'Object.defineProperty(exports, "__esModule", { value: true });',
  'exports.MODULE_PATH = __filename;',
  '',
].join('\n'));
rmSync(`${modulePath}.map`, { force: true });

const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
const strays = walk(out).filter((f) => f.endsWith('.js') && readFileSync(f, 'utf8').includes('import.meta'));
if (strays.length) throw new Error(`CommonJS modules that read import.meta (only src/edge/fs/module-path.ts may): ${strays.join(', ')}`);
