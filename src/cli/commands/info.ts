/** `ls`, `gc`, `env`, `cli`: reading an ensemble and handing it to the user's tools. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseSelector, selectMembers } from '../../ensemble/lifecycle/ops.js';
import { connectString } from '../../ensemble/observe/probe.js';
import { readSpec } from '../../ensemble/store/spec-file.js';
import { UsageError } from '../../errors.js';
import { memberVersion } from '../../options/member-versions.js';
import { parseZkVersion } from '../../zk/versions.js';
import { clientJava } from '../../edge/process/client-java.js';
import type { CommandContext } from '../context.js';
import { colourHealth, printJson, table } from '../output.js';

export async function lsCommand(c: CommandContext): Promise<number> {
  const { listEnsembles } = await import('../../ensemble/observe/inventory.js');
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

export async function gcCommand(c: CommandContext, opts: { dryRun?: boolean; all?: boolean }): Promise<number> {
  const { collectGarbage } = await import('../../ensemble/observe/inventory.js');
  const { cacheDir } = await import('../../tarball/resolve.js');
  const dryRun = !!opts.dryRun;
  const result = await collectGarbage(c.home, cacheDir(c.env), { dryRun, all: !!opts.all });
  if (c.o.json) printJson(c.o, { dryRun, all: !!opts.all, ...result });
  else if (!c.o.quiet) {
    for (const s of result.servers) c.o.out(`${s.outcome} server ${s.id} of ${s.dir} (pid ${s.pid}): ${s.reason}`);
    for (const l of result.locks) c.o.out(`${dryRun ? 'would remove' : 'removed'} stale lock ${l}`);
    for (const s of result.elsewhere) c.o.out(`left running server ${s.id} of ${s.dir} (pid ${s.pid}): ${s.reason}; it is outside ${c.home}`);
    if (result.elsewhere.length) {
      const homes = [...new Set(result.elsewhere.map((s) => path.dirname(s.dir)))];
      c.o.out(`(\`zkpseudo gc --home ${homes[0]}\`${homes.length > 1 ? ' and the like' : ''} stops ${result.elsewhere.length > 1 ? 'those' : 'it'}, or \`zkpseudo gc --all\` every orphaned zkpseudo server on this machine)`);
    }
    if (!result.servers.length && !result.locks.length && !result.elsewhere.length) c.o.out(`nothing to collect: every zkpseudo server under ${c.home} belongs to a live ensemble`);
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
  for (const m of spec.members) vars[`ZK_SERVER_${m.id}`] = `127.0.0.1:${spec.faults?.clients[String(m.id)] ?? m.ports.client}`;
  if (spec.security) Object.assign(vars, await (await import('../../ensemble/security/env.js')).securityEnv(c.paths, spec));
  if (c.o.json) printJson(c.o, vars);
  else c.o.out(Object.entries(vars).map(([k, v]) => `export ${k}=${q(v)}`).join('\n'));
  return 0;
}

export async function cliCommand(c: CommandContext, id: string | undefined, args: string[]): Promise<number> {
  if (c.o.json) throw new UsageError('`cli` talks to zkCli.sh interactively and has no --json output.', 'Drop --json; for a status document use `zkpseudo status --json`.');
  const spec = await readSpec(c.paths);
  // No id, or "all": the whole connect string (zkCli.sh picks a server and fails over).
  const whole = !id || id === 'all';
  const member = whole ? spec.members[0]! : (await selectMembers(c.op, spec, parseSelector(id)))[0]!;
  // A secured ensemble: TLS ports (production's path), the client configuration and the JAAS file.
  const secure = spec.security ? await import('../../ensemble/security/cli-launch.js') : undefined;
  const launch = secure ? await secure.zkCliLaunch(c.paths, spec) : { args: [], jvmFlags: [] };
  const server = secure ? secure.zkCliServer(spec, whole ? undefined : member) : whole ? connectString(spec) : `127.0.0.1:${member.ports.client}`;
  const paths = c.paths.server(member.id);
  // The client of the release that server runs: 3.4's needs a Java older than 14 (client-java.ts).
  const java = await clientJava(c.env, parseZkVersion(memberVersion(spec, member))!);
  if (java.note && !c.o.quiet) c.o.err(`! ${java.note}`);
  const clientFlags = [...launch.jvmFlags, ...(c.env.CLIENT_JVMFLAGS ? [c.env.CLIENT_JVMFLAGS] : [])].join(' ');
  const env = { ...c.env, ZOOCFGDIR: paths.confDir, ZOO_LOG_DIR: paths.logsDir, CLASSPATH: '', JVMFLAGS: '', ...(clientFlags ? { CLIENT_JVMFLAGS: clientFlags } : {}), ...(java.javaHome ? { JAVA_HOME: java.javaHome } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(paths.bin, 'zkCli.sh'), ['-server', server, ...launch.args, ...args], { stdio: 'inherit', env, cwd: paths.root });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 2));
  });
}
