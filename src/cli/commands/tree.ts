/** `reset`, `dump` and `seed`: the tree between tests (see ensemble/tree). */
import { writeUserFile } from '../../edge/fs/owned-fs.js';
import { readSpec } from '../../ensemble/store/spec-file.js';
import { connectTarget, ensembleTarget, type TreeTarget } from '../../ensemble/tree/target.js';
import type { TreeNode } from '../../ensemble/tree/tree-file.js';
import { asText } from '../../ensemble/tree/tree-file.js';
import { ExitCode, UsageError, ZkpseudoError } from '../../errors.js';
import { liveServers } from '../../ensemble/observe/identity.js';
import type { EnsembleSpec } from '../../options/types.js';
import { parseConnectString, type ConnectString } from '../../zk/connect-string.js';
import { formatAcl } from '../../zk/znodes.js';
import type { CommandContext } from '../context.js';
import { printJson } from '../output.js';
import { commandTarget, type ConnectFlags, type ConnectOption } from '../target.js';

export interface TargetFlags extends ConnectFlags {
  yes?: boolean;
}

/**
 * The ensemble the command acts on, found as status, wait and check find theirs (cli/target.ts:
 * `--connect HOST:PORT,…`, `--connect` alone for $ZK_CONNECT, never with --name; else the local
 * one). A local one must be running and is acted on as its super user; any other as an
 * ordinary client, and a command that changes it asks for --yes, since zkpseudo did not make it.
 */
async function targetOf(c: CommandContext, o: TargetFlags, changes?: string): Promise<{ tree: TreeTarget; local: boolean }> {
  let spec: EnsembleSpec | undefined;
  const target = await commandTarget(c, o, async () => (spec = await readSpec(c.paths)));
  if (spec) {
    // A stopped ensemble is said at once, not after the client has tried to connect for seconds.
    if (!(await liveServers(c.paths)).size) throw new ZkpseudoError(`Ensemble "${spec.name}" is not running.`, `Start it with \`zkpseudo up --name ${spec.name}\`.`);
    return { tree: await ensembleTarget(c.paths, spec), local: true };
  }
  // commandTarget parsed it and refused what is no connect string; its normalised text parses the same.
  const cs = parseConnectString(target.connectString) as ConnectString;
  const tree = connectTarget(cs, target.credentials);
  if (changes && !o.yes) {
    throw new UsageError(
      `${changes} --connect would change ${tree.label}, which is not one zkpseudo made here; it needs --yes.`,
      `Check the connect string, then run \`zkpseudo ${changes} … --connect ${cs.text} --yes\`.`,
    );
  }
  return { tree, local: false };
}

/** Who the JSON output is about: the ensemble's name, or the connect string. */
function whom(c: CommandContext, t: { tree: TreeTarget; local: boolean }) {
  return t.local ? { name: c.name, connectString: t.tree.connectString } : { connectString: t.tree.connectString };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function resetCommand(c: CommandContext, o: TargetFlags & { keep?: string[] }): Promise<number> {
  const { checkKeep, resetTree } = await import('../../ensemble/tree/reset.js');
  const keep = checkKeep(o.keep ?? []);
  const t = await targetOf(c, o, 'reset');
  const target = t.tree;
  const r = await resetTree(target, { keep });
  if (c.o.json) printJson(c.o, { ...whom(c, t), ...r });
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

/**
 * `dump --connect /app`: --connect takes an optional value, so commander hands it the path. A
 * znode path is never a connect string (it would name no server): it goes back to the path,
 * and --connect reads $ZK_CONNECT.
 */
export function untangleDumpConnect(root: string | undefined, connect: ConnectOption): { root: string | undefined; connect: ConnectOption } {
  if (root === undefined && typeof connect === 'string' && connect.startsWith('/')) return { root: connect, connect: true };
  return { root, connect };
}

export async function dumpCommand(c: CommandContext, given: string | undefined, opts: TargetFlags & { output?: string }): Promise<number> {
  const { dumpTree } = await import('../../ensemble/tree/dump.js');
  const { root, connect } = untangleDumpConnect(given, opts.connect);
  const o = { ...opts, connect };
  const t = await targetOf(c, o);
  const target = t.tree;
  const r = await dumpTree(target, root ?? '/');
  if (o.output !== undefined) await writeUserFile(o.output, r.text);
  if (c.o.json) printJson(c.o, { ...whom(c, t), path: r.path, count: r.nodes.length, ...(o.output !== undefined ? { output: o.output } : {}), nodes: r.nodes.map(nodeJson) });
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
  const t = await targetOf(c, o, 'seed');
  const r = await seedAndSay(c, t.tree, file, nodes, !!o.replace);
  if (c.o.json) printJson(c.o, { ...whom(c, t), file, ...r });
  return ExitCode.ok;
}
