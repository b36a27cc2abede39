/** Reading and writing ensemble.yaml, the resolved spec every command reloads. */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { DamagedEnsembleError, ExitCode, fromSystemError, NoSuchEnsembleError, UsageError, ZkpseudoError } from '../../errors.js';
import { asSpec, recordedSpecProblems } from '../../options/recorded.js';
import type { EnsembleSpec } from '../../options/types.js';
import type { EnsemblePaths } from './layout.js';
import { writeFileNamed } from '../../edge/files.js';

function homeNotDirectory(home: string): UsageError {
  return new UsageError(`The home dir ${home} is not a directory.`, 'Point --home (or ZKPSEUDO_HOME) at a directory, or remove the file in its way.');
}

/** Makes sure the home dir is a directory zkpseudo can write, creating it if needed. */
export async function ensureHome(home: string): Promise<void> {
  try {
    await mkdir(home, { recursive: true, mode: 0o755 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw homeNotDirectory(home);
    throw new ZkpseudoError(`Cannot create the home dir ${home} (${code ?? (err as Error).message}).`, 'Point --home (or ZKPSEUDO_HOME) at a directory you can write.');
  }
  const { access, constants } = await import('node:fs/promises');
  await access(home, constants.W_OK).catch(() => {
    throw new ZkpseudoError(`The home dir ${home} is not writable.`, 'Point --home (or ZKPSEUDO_HOME) at a directory you can write.');
  });
}

/** Writes the spec atomically (temp file + rename), so a crash never leaves half a file. */
export async function writeSpec(paths: EnsemblePaths, spec: EnsembleSpec): Promise<void> {
  const { dir, specFile } = paths;
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const temp = `${specFile}.${process.pid}.tmp`;
  // JSON is YAML too: written in that subset, every command can read it back with JSON.parse
  // and skip loading a YAML parser (≈20 ms of `status`'s start-up). Hand edits in full YAML still work.
  const header = '# The resolved ensemble, written by zkpseudo (JSON, which is also YAML). Change its shape with `zkpseudo down --purge` and a new `up`.\n';
  await writeFileNamed(temp, `${header}${JSON.stringify(spec, null, 2)}\n`);
  await rename(temp, specFile);
}

async function parseSpecText(text: string): Promise<unknown> {
  try {
    return JSON.parse(text.replace(/^#.*$/gm, ''));
  } catch {
    const { default: YAML } = await import('yaml');
    return YAML.parse(text);
  }
}

/** The recorded spec, or undefined when the ensemble has never been created. */
export async function readSpecIfAny(paths: EnsemblePaths): Promise<EnsembleSpec | undefined> {
  const { specFile, home, name } = paths;
  let text: string;
  try {
    text = await readFile(specFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw homeNotDirectory(home);
    // Only what is wrong with the file itself is damage; a system that cannot read it just
    // now (EMFILE, EACCES, EIO) says nothing about it, and must not get its servers stopped by `gc`.
    if (!['EISDIR', 'ELOOP'].includes((err as NodeJS.ErrnoException).code ?? '')) {
      throw fromSystemError(err) ?? new ZkpseudoError(`Cannot read ${specFile}: ${(err as Error).message}.`, 'Run the command again once the file can be read.', ExitCode.failed, { cause: err });
    }
    throw new DamagedEnsembleError(paths, `it cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
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
