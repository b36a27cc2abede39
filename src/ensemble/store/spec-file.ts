/** Reading and writing ensemble.yaml, the resolved spec every command reloads. */
import { DamagedEnsembleError, ExitCode, NoSuchEnsembleError, UsageError, ZkpseudoError } from '../../errors.js';
import { asSpec, recordedSpecProblems } from '../../options/recorded.js';
import type { EnsembleSpec } from '../../options/types.js';
import type { EnsemblePaths } from './layout.js';
import { mkdirOwned, writeOwned, type FsError } from '../../edge/fs/owned-fs.js';
import { readBack } from '../../edge/fs/decode.js';

/** The home dir is a file (or a path through one): a usage error, the same for every command. */
export function homeNotDirectory(home: string): UsageError {
  return new UsageError(`The home dir ${home} is not a directory.`, 'Point --home (or ZKPSEUDO_HOME) at a directory, or remove the file in its way.');
}

/** Makes sure the home dir is a directory zkpseudo can write, creating it if needed. */
export async function ensureHome(home: string): Promise<void> {
  try {
    await mkdirOwned(home, home);
  } catch (err) {
    const code = (err as FsError).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw homeNotDirectory(home);
    throw err;
  }
  const { access, constants } = await import('node:fs/promises');
  await access(home, constants.W_OK).catch(() => {
    throw new ZkpseudoError(`The home dir ${home} is not writable.`, 'Point --home (or ZKPSEUDO_HOME) at a directory you can write.');
  });
}

/** Writes the spec atomically (temp file + rename), so a crash never leaves half a file. */
export async function writeSpec(paths: EnsemblePaths, spec: EnsembleSpec): Promise<void> {
  const { dir, specFile } = paths;
  await mkdirOwned(paths.home, dir);
  // JSON is YAML too: written in that subset, every command can read it back with JSON.parse
  // and skip loading a YAML parser (≈20 ms of `status`'s start-up). Hand edits in full YAML still work.
  const header = '# The resolved ensemble, written by zkpseudo (JSON, which is also YAML). Change its shape with `zkpseudo down --purge` and a new `up`.\n';
  await writeOwned(paths.home, specFile, `${header}${JSON.stringify(spec, null, 2)}\n`);
}

async function parseSpecText(text: string): Promise<unknown> {
  try {
    return JSON.parse(text.replace(/^#.*$/gm, ''));
  } catch {
    const { default: YAML } = await import('yaml');
    return YAML.parse(text);
  }
}

/** More than any spec zkpseudo writes (31 servers, fault ports, extra config) by far. */
const MAX_SPEC_BYTES = 1024 * 1024;

/**
 * The recorded spec, or undefined when the ensemble has never been created. Decoded strictly
 * (options/recorded.ts); a damaged file is not moved aside — the user may want to mend it, and
 * `down` and `down --purge` work without it — but reported as DamagedEnsembleError.
 */
export async function readSpecIfAny(paths: EnsemblePaths): Promise<EnsembleSpec | undefined> {
  const { specFile, home, name } = paths;
  const read = await readBack(specFile, (v) => ({ ok: true, value: v as string }), { as: 'text', maxBytes: MAX_SPEC_BYTES });
  if (read.state === 'missing') return undefined;
  if (read.state === 'damaged') {
    if (read.code === 'ENOTDIR') throw homeNotDirectory(home);
    // Only what is wrong with the file itself is damage; a system that cannot read it just
    // now (EMFILE, EACCES, EIO) says nothing about it, and must not get its servers stopped by `gc`.
    if (read.code && !['EISDIR', 'ELOOP'].includes(read.code)) {
      throw new ZkpseudoError(`Cannot read ${specFile} just now (${read.code}).`, 'Run the command again once the file can be read (for EMFILE: raise `ulimit -n`).', ExitCode.failed);
    }
    throw new DamagedEnsembleError(paths, read.problems.join('; '));
  }
  const text = read.value;
  let parsed: unknown;
  try {
    parsed = await parseSpecText(text);
  } catch (err) {
    throw new DamagedEnsembleError(paths, `it is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const problems = recordedSpecProblems(parsed);
  if (problems.length) throw new DamagedEnsembleError(paths, problems.join('; '));
  if ((parsed as EnsembleSpec).name !== name) throw new DamagedEnsembleError(paths, `name: "${(parsed as EnsembleSpec).name}" does not match its directory "${name}"`);
  return asSpec(parsed);
}

/** The recorded spec; throws NoSuchEnsembleError (exit 3) when there is none. */
export async function readSpec(paths: EnsemblePaths): Promise<EnsembleSpec> {
  const spec = await readSpecIfAny(paths);
  if (!spec) throw new NoSuchEnsembleError(paths.name, paths.home);
  return spec;
}
