/** `reset`, `dump` and `seed`: the tree between tests (see ensemble/tree). */
import { writeUserFile } from '../../edge/owned-fs.js';
import { readSpec } from '../../ensemble/store/spec-file.js';
import { connectTarget, ensembleTarget, type TreeTarget } from '../../ensemble/tree/target.js';
import type { TreeNode } from '../../ensemble/tree/tree-file.js';
import { asText } from '../../ensemble/tree/tree-file.js';
import { ExitCode, UsageError, ZkpseudoError } from '../../errors.js';
import { liveServers } from '../../ensemble/observe/identity.js';
import { formatAcl } from '../../zk/znodes.js';
import type { CommandContext } from '../context.js';
import { printJson } from '../output.js';

export interface TargetFlags {
  connect?: string;
  yes?: boolean;
}

/**
 * The ensemble the command acts on: `--connect HOST:PORT,…` (any ensemble; one that changes
 * it asks for --yes, since zkpseudo did not make it), else the named local one.
 */
async function targetOf(c: CommandContext, o: TargetFlags, changes?: string): Promise<TreeTarget> {
  if (o.connect === undefined) {
    const spec = await readSpec(c.paths);
    // A stopped ensemble is said at once, not after the client has tried to connect for seconds.
    if (!(await liveServers(c.paths)).size) throw new ZkpseudoError(`Ensemble "${spec.name}" is not running.`, `Start it with \`zkpseudo up --name ${spec.name}\`.`);
    return ensembleTarget(c.paths, spec);
  }
  if (c.nameGiven) throw new UsageError('Give --connect or --name, not both.', '--connect names any ensemble by its servers; --name one zkpseudo made.');
  const target = connectTarget(o.connect);
  if (changes && !o.yes) {
    throw new UsageError(
      `${changes} --connect would change the ensemble at ${o.connect}, which is not one zkpseudo made here; it needs --yes.`,
      `Check the connect string, then run \`zkpseudo ${changes} … --connect ${o.connect} --yes\`.`,
    );
  }
  return target;
}

/** Who the JSON output is about: the ensemble's name, or the connect string. */
function whom(c: CommandContext, o: TargetFlags, target: TreeTarget) {
  return o.connect === undefined ? { name: c.name, connectString: target.connectString } : { connectString: target.connectString };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function resetCommand(c: CommandContext, o: TargetFlags & { keep?: string[] }): Promise<number> {
  const { checkKeep, resetTree } = await import('../../ensemble/tree/reset.js');
  const keep = checkKeep(o.keep ?? []);
  const target = await targetOf(c, o, 'reset');
  const r = await resetTree(target, { keep });
  if (c.o.json) printJson(c.o, { ...whom(c, o, target), ...r });
  else if (!c.o.quiet) {
    const parts = [`removed ${plural(r.deleted, 'znode')}`];
    if (r.ephemerals) parts.push(`${plural(r.ephemerals, 'ephemeral node')} of live sessions among them (their owners may create them again)`);
    if (r.quotas) parts.push(`${plural(r.quotas, 'quota entry', 'quota entries')}`);
    if (r.kept.length) parts.push(`kept ${r.kept.join(', ')}`);
    if (r.restored.length) parts.push(`put back /'s ${r.restored.join(' and ')}`);
    c.o.out(`reset ${target.label}: ${parts.join('; ')} (${r.ms} ms)`);
  }
  return ExitCode.ok;
}

/** A node as `dump --json` prints it. */
function nodeJson(n: TreeNode) {
  const text = n.data ? asText(n.data) : undefined;
  return {
    path: n.path,
    ...(n.data === null ? {} : text !== undefined ? { data: text } : { base64: n.data.toString('base64') }),
    acl: n.acl.map(formatAcl),
    kind: n.kind,
    ...(n.ttlMs !== undefined ? { ttlMs: n.ttlMs } : {}),
    sequential: n.sequential,
  };
}

export async function dumpCommand(c: CommandContext, root: string | undefined, o: TargetFlags & { output?: string }): Promise<number> {
  const { dumpTree } = await import('../../ensemble/tree/dump.js');
  const target = await targetOf(c, o);
  const r = await dumpTree(target, root ?? '/');
  if (o.output !== undefined) await writeUserFile(o.output, r.text);
  if (c.o.json) printJson(c.o, { ...whom(c, o, target), path: r.path, count: r.nodes.length, ...(o.output !== undefined ? { output: o.output } : {}), nodes: r.nodes.map(nodeJson) });
  else if (o.output === undefined) process.stdout.write(r.text);
  else if (!c.o.quiet) c.o.err(`wrote ${plural(r.nodes.length, 'znode')} of ${r.path} to ${o.output}`);
  return ExitCode.ok;
}

/** Seeds a checked tree and says what was done; shared by `seed` and `up --seed`. */
export async function seedAndSay(c: CommandContext, target: TreeTarget, file: string, nodes: TreeNode[], replace: boolean) {
  const { seedTree } = await import('../../ensemble/tree/seed.js');
  const r = await seedTree(target, nodes, { replace });
  if (!c.o.json && !c.o.quiet) {
    const parts = [`created ${plural(r.created, 'znode')} from ${file} in ${target.label}`];
    if (r.ancestors.length) parts.push(`${plural(r.ancestors.length, 'missing ancestor')} among them (${r.ancestors.slice(0, 3).join(', ')}${r.ancestors.length > 3 ? ', …' : ''})`);
    if (r.replaced.length) parts.push(`replaced ${r.replaced.join(', ')}`);
    if (r.skippedEphemerals.length) parts.push(`skipped ${plural(r.skippedEphemerals.length, 'ephemeral node')} (one would end with seed's own session)`);
    c.o.out(`seed: ${parts.join('; ')} (${r.ms} ms)`);
  }
  return r;
}

export async function seedCommand(c: CommandContext, file: string, o: TargetFlags & { replace?: boolean }): Promise<number> {
  const { loadTreeFile } = await import('../../ensemble/tree/seed.js');
  // The file is judged before anything else: a bad one changes nothing, wherever it was meant to go.
  const nodes = await loadTreeFile(file);
  const target = await targetOf(c, o, 'seed');
  const r = await seedAndSay(c, target, file, nodes, !!o.replace);
  if (c.o.json) printJson(c.o, { ...whom(c, o, target), file, ...r });
  return ExitCode.ok;
}
