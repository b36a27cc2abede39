/** What every command gets from the global options: where, which ensemble, how to print. */
import { ensemblePaths, resolveHome, type EnsemblePaths } from '../ensemble/store/layout.js';
import type { OpContext } from '../ensemble/lifecycle/ops.js';
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
  /** True when the --name flag itself was given (not $ZKPSEUDO_NAME): it cannot go with --connect. */
  nameFlag: boolean;
  o: Output;
  op: OpContext;
}

/** The file `up` reads by default, and whose `name` the other commands use, like compose.yaml. */
export const LOCAL_ENSEMBLE_FILE = 'zkpseudo.yaml';

/** The `name:` of ./zkpseudo.yaml, if there is such a file (read only when it exists). */
async function localFileName(cwd: string): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(`${cwd}/${LOCAL_ENSEMBLE_FILE}`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const { parseEnsembleFile } = await import('../options/file.js');
  return parseEnsembleFile(text, LOCAL_ENSEMBLE_FILE).name;
}

/**
 * The context every command gets. The ensemble's name is --name, else $ZKPSEUDO_NAME, else the
 * name in ./zkpseudo.yaml, else "default".
 */
export async function commandContext(g: GlobalOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<CommandContext> {
  const o = makeOutput(g);
  const home = resolveHome(env, g.home);
  const given = g.name ?? (env.ZKPSEUDO_NAME || undefined);
  const name = given ?? (await localFileName(cwd)) ?? 'default';
  if (!ENSEMBLE_NAME.test(name)) {
    throw new UsageError(`${g.name !== undefined ? '--name' : 'ZKPSEUDO_NAME'} "${name}" is not a valid ensemble name.`, 'Use letters, digits, ".", "_" and "-" (up to 64), starting with a letter or digit.');
  }
  const paths = ensemblePaths(home, name);
  return {
    env, home, name, paths, o, nameGiven: given !== undefined, nameFlag: g.name !== undefined,
    op: { paths, env, onNotice: (t) => { o.notices.push(t); if (!o.quiet && !o.json) o.err(`! ${t}`); } },
  };
}
