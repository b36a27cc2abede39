/** `ls`, `env`, `logs`, `cli`: reading an ensemble and handing it to the user's tools. */
import { spawn } from 'node:child_process';
import { createReadStream, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { latestLogFile, tailFile } from '../../ensemble/logs.js';
import { parseSelector, selectMembers } from '../../ensemble/ops.js';
import { connectString } from '../../ensemble/probe.js';
import { readSpec } from '../../ensemble/store.js';
import { ZkpseudoError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { colourHealth, printJson, table } from '../output.js';

export async function lsCommand(c: CommandContext): Promise<number> {
  const { listEnsembles } = await import('../../ensemble/inventory.js');
  const rows = await listEnsembles(c.home);
  if (c.o.json) printJson(c.o, { home: c.home, ensembles: rows });
  else if (!c.o.quiet) {
    if (!rows.length) c.o.out(`no ensembles under ${c.home}`);
    else c.o.out(table(['NAME', 'VERSION', 'SERVERS', 'RUNNING', 'STATE', 'CONNECT'], rows.map((r) => ({
      cells: [r.name, r.zkVersion ?? '-', r.servers === null ? '-' : String(r.servers), String(r.running), r.reason ? `${r.state} (${r.reason})` : r.state, r.connectString ?? '-'],
      paint: (col: number, cell: string) => (col === 4 && ['healthy', 'degraded', 'no-quorum'].includes(r.state) ? colourHealth(r.state as 'healthy', cell) : cell),
    }))));
  }
  return 0;
}

export async function gcCommand(c: CommandContext, opts: { dryRun?: boolean }): Promise<number> {
  const { collectGarbage } = await import('../../ensemble/inventory.js');
  const { cacheDir } = await import('../../tarball/resolve.js');
  const result = await collectGarbage(c.home, cacheDir(c.env), !!opts.dryRun);
  if (c.o.json) printJson(c.o, { dryRun: !!opts.dryRun, ...result });
  else if (!c.o.quiet) {
    for (const s of result.servers) c.o.out(`${s.outcome === 'would stop' ? 'would stop' : s.outcome} server ${s.id} of ${s.dir} (pid ${s.pid}): ${s.reason}`);
    for (const l of result.locks) c.o.out(`${opts.dryRun ? 'would remove' : 'removed'} stale lock ${l}`);
    if (!result.servers.length && !result.locks.length) c.o.out('nothing to collect: every zkpseudo server belongs to a live ensemble');
  }
  return 0;
}

/** Shell-quoted, so `eval "$(zkpseudo env)"` is safe whatever the paths hold. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function envCommand(c: CommandContext): Promise<number> {
  const spec = await readSpec(c.paths);
  const vars: Record<string, string> = {
    ZK_CONNECT: connectString(spec),
    ZK_ENSEMBLE: spec.name,
    ZK_ENSEMBLE_DIR: c.paths.dir,
  };
  for (const m of spec.members) vars[`ZK_SERVER_${m.id}`] = `127.0.0.1:${m.ports.client}`;
  if (c.o.json) printJson(c.o, vars);
  else c.o.out(Object.entries(vars).map(([k, v]) => `export ${k}=${q(v)}`).join('\n'));
  return 0;
}

export async function logsCommand(c: CommandContext, id: string, opts: { follow?: boolean; lines?: number }): Promise<number> {
  const spec = await readSpec(c.paths);
  const [member] = await selectMembers(c.op, spec, parseSelector(id));
  const dir = c.paths.server(member!.id).logsDir;
  const file = await latestLogFile(dir);
  if (!file) throw new ZkpseudoError(`Server ${member!.id} has no log file in ${dir} yet.`, 'Start it with `zkpseudo start ' + member!.id + '`.');
  const lines = opts.lines ?? 50;
  const text = await tailFile(file, lines);
  if (text) c.o.out(text);
  if (!opts.follow) return 0;
  // Follow: print what is appended, until Ctrl-C.
  let pos = (await stat(file)).size;
  await new Promise<void>((resolve) => {
    const watcher = watch(file, async () => {
      const size = (await stat(file).catch(() => ({ size: pos }))).size;
      if (size < pos) pos = 0; // rotated
      if (size > pos) {
        createReadStream(file, { start: pos, end: size - 1 }).pipe(process.stdout, { end: false });
        pos = size;
      }
    });
    process.once('SIGINT', () => { watcher.close(); resolve(); });
  });
  return 0;
}

export async function cliCommand(c: CommandContext, id: string | undefined, args: string[]): Promise<number> {
  const spec = await readSpec(c.paths);
  const member = id ? (await selectMembers(c.op, spec, parseSelector(id)))[0]! : spec.members[0]!;
  const server = id ? `127.0.0.1:${member.ports.client}` : connectString(spec);
  const paths = c.paths.server(member.id);
  const env = { ...c.env, ZOOCFGDIR: paths.confDir, ZOO_LOG_DIR: paths.logsDir, CLASSPATH: '', JVMFLAGS: '' };
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(paths.bin, 'zkCli.sh'), ['-server', server, ...args], { stdio: 'inherit', env, cwd: paths.root });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 2));
  });
}
