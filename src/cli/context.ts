/** What every command gets from the global options: where, which ensemble, how to print. */
import { ensemblePaths, resolveHome, type EnsemblePaths } from '../ensemble/layout.js';
import type { OpContext } from '../ensemble/ops.js';
import { makeOutput, type Output } from './output.js';
import { UsageError } from '../errors.js';
import { ENSEMBLE_NAME } from '../options/names.js';

export interface GlobalOptions {
  name?: string;
  home?: string;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

export interface CommandContext {
  env: NodeJS.ProcessEnv;
  home: string;
  name: string;
  /** The ensemble's paths, resolved once from home and name. */
  paths: EnsemblePaths;
  /** True when --name was given (an ensemble file's name applies otherwise). */
  nameGiven: boolean;
  o: Output;
  op: OpContext;
}

export function commandContext(g: GlobalOptions, env: NodeJS.ProcessEnv = process.env): CommandContext {
  const o = makeOutput(g);
  const home = resolveHome(env, g.home);
  const name = g.name ?? 'default';
  if (!ENSEMBLE_NAME.test(name)) {
    throw new UsageError(`--name "${name}" is not a valid ensemble name.`, 'Use letters, digits, ".", "_" and "-" (up to 64), starting with a letter or digit.');
  }
  const paths = ensemblePaths(home, name);
  return {
    env, home, name, paths, o, nameGiven: g.name !== undefined,
    op: { paths, env, onNotice: (t) => { if (!o.quiet && !o.json) o.err(`! ${t}`); } },
  };
}
