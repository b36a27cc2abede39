/**
 * `zkpseudo export compose|kubernetes [-f FILE] [--output FILE]`: the ensemble tested here,
 * for the engines a team already runs. What does not carry over is said on stderr (and in the
 * file's comments); the YAML goes to stdout or to the file named.
 */
import path from 'node:path';
import { exportEnsemble, type ExportResult, type ExportTarget } from '../../export/export.js';
import { composeConnectString, composeProjectName } from '../../export/compose.js';
import { exportModel } from '../../export/model.js';
import { canonicalPathSync, writeUserFile } from '../../edge/fs/owned-fs.js';
import { isAlive } from '../../edge/process/process.js';
import { readLease } from '../../ensemble/lease/lease.js';
import { readSpec } from '../../ensemble/store/spec-file.js';
import { UsageError } from '../../errors.js';
import type { EnsembleOptions, EnsembleSpec } from '../../options/types.js';
import type { CommandContext } from '../context.js';
import { ensembleFilePath } from '../ensemble-file.js';
import { printJson } from '../output.js';

interface Source {
  spec: EnsembleOptions | EnsembleSpec;
  owner?: number;
  /** Where it came from, for messages: a file, or an ensemble under the home dir. */
  from: string;
}

/**
 * What to export: `-f FILE` (its name overridden by --name, as for `up`); else, with --name,
 * that existing ensemble; else ./zkpseudo.yaml if there is one; else the existing ensemble.
 */
async function exportSource(c: CommandContext, file: string | undefined): Promise<Source> {
  const found = file !== undefined || !c.nameGiven ? await ensembleFilePath(file) : undefined;
  if (found) {
    const { loadEnsembleFile } = await import('../../options/file.js');
    const fromFile = await loadEnsembleFile(found, c.env);
    return { spec: { ...fromFile, ...(c.nameGiven ? { name: c.name } : {}) }, from: found };
  }
  const spec = await readSpec(c.paths);
  // A live owner lease is not in the spec, and cannot carry over either: it is named like the rest.
  const lease = await readLease(c.paths);
  const owner = lease && (await isAlive(lease.ownerPid)) ? lease.ownerPid : undefined;
  return { spec, owner, from: c.paths.dir };
}

/** What a user runs next with the file written. */
function nextStep(result: ExportResult, source: Source, file: string): string {
  if (result.target === 'kubernetes') return result.text.includes('# Secured:') ? `create the Secrets the file's comments name, then kubectl apply -f ${file}` : `kubectl apply -f ${file}`;
  const model = exportModel(source.spec, source.owner);
  const secrets = model.security ? 'put the secret files the file\'s comments name under ./secrets beside it, then ' : '';
  const up = `${secrets}docker compose -p ${composeProjectName(model.name)} -f ${file} up -d`;
  // TLS only: no plain port for status's four-letter words.
  return model.security?.tls?.only ? `${up}, then connect over TLS to ${composeConnectString(model)}` : `${up}, then zkpseudo status --connect ${composeConnectString(model)}`;
}

export async function exportCommand(c: CommandContext, target: ExportTarget, opts: { file?: string; output?: string }): Promise<number> {
  const source = await exportSource(c, opts.file);
  const result = exportEnsemble(source.spec, target, source.owner !== undefined ? { owner: source.owner } : {});
  // Said once the YAML is out (on stderr, so a pipe gets only the YAML), never dropped silently.
  const tell = () => {
    for (const n of result.notCarried) c.op.onNotice?.(`not carried over: ${n}`);
    for (const n of result.chosen) c.op.onNotice?.(n);
  };
  const output = opts.output === undefined || opts.output === '-' ? undefined : path.resolve(opts.output);
  if (!output) {
    if (!c.o.json) process.stdout.write(result.text);
    tell();
    if (c.o.json) printJson(c.o, { target, from: source.from, output: null, notCarried: result.notCarried, chosen: result.chosen, text: result.text });
    return 0;
  }
  // A file among zkpseudo's own would be taken for damage (and `down --purge` refuses a directory holding one).
  const real = canonicalPathSync(output);
  if (real === c.home || real.startsWith(c.home + path.sep)) {
    throw new UsageError(`--output ${opts.output} lies inside zkpseudo's home dir ${c.home}.`, 'Write the export somewhere else, such as the current directory.');
  }
  await writeUserFile(output, result.text);
  tell();
  if (c.o.json) printJson(c.o, { target, from: source.from, output, notCarried: result.notCarried, chosen: result.chosen });
  else if (!c.o.quiet) c.o.err(`wrote ${output}; next: ${nextStep(result, source, opts.output!)}`);
  return 0;
}
