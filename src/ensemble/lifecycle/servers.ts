/** Starting, stopping and killing one server; the process table says what runs, never a pid file alone. */
import { readdir, stat, statfs } from 'node:fs/promises';
import { mkdirOwned, removeOwned, renameOwned } from '../../edge/fs/owned-fs.js';
import path from 'node:path';
import { writeServerFiles } from '../store/server-files.js';
import { ZkpseudoError } from '../../errors.js';
import { readPidFile, removePidFile, signalServer, waitServerGone } from '../../edge/process/process.js';
import { SERVER_MARKER } from '../../edge/process/proctable.js';
import { startServer, type Launch, type LaunchOptions } from '../../edge/process/server.js';
import type { EnsembleSpec, Member } from '../../options/types.js';
import type { EnsemblePaths, ServerPaths } from '../store/layout.js';
import type { LiveServer } from '../observe/identity.js';
import { logTail, tailFile } from '../observe/logs.js';
import { cdsLaunch } from '../cds/launch.js';
import { checkServerCertificate } from '../security/cert-check.js';
import { diagnoseJvmCrash, diagnoseStartFailure, repairHint } from '../../zk/logs/startfail.js';
import { othersCanHoldQuorum } from '../../zk/state/health.js';
import { securityJvmFlags } from '../../zk/config/security-cfg.js';
import { versionFacts } from '../../zk/version-facts.js';
import { parseZkVersion } from '../../zk/versions.js';
import { securityFiles } from '../security/files.js';
import { quarantineArchive } from '../cds/archive.js';
import { settleLaunch } from './confirm.js';
import { cacheDir } from '../../tarball/resolve.js';
import { memberVersion } from '../../options/member-versions.js';
import { REPLACING_MARK } from '../../tarball/pack.js';

export interface ServerContext {
  paths: EnsemblePaths;
  env: NodeJS.ProcessEnv;
  onNotice?: (text: string) => void;
}

/** JVM settings every server gets; see the README's "Defaults and why". */
export function launchOptions(spec: EnsembleSpec, env: NodeJS.ProcessEnv): LaunchOptions {
  return { heapMb: spec.heapMb, jvmFlags: [SERVER_MARKER, ...defaultJvmFlags(env), ...(env.ZKPSEUDO_JVM_FLAGS ?? '').split(/\s+/).filter(Boolean)] };
}

/**
 * Flags suited to test servers, each measured by `npm run bench` (README "Defaults and why"):
 * C1-only JIT and the serial collector start a small JVM faster and keep it smaller; no
 * hsperfdata file. All exist on Java 7 and later. ZKPSEUDO_DEFAULT_JVM_FLAGS=0 turns them off;
 * ZKPSEUDO_JVM_FLAGS adds flags after them (a later flag wins).
 */
export const FAST_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData'];

/** launchOptions, plus the shared CDS archive when this server can use it (see ensemble/cds), and which archive that is. */
async function launchWithCds(sp: ServerPaths, spec: EnsembleSpec, member: Member, ctx: ServerContext, useCds = true): Promise<{ opts: LaunchOptions; archive?: string }> {
  const base = launchOptions(spec, ctx.env);
  const cds = useCds ? await cdsLaunch(sp, spec, member, ctx.env, ctx.onNotice) : { flags: [] as string[], configDir: undefined, archive: undefined };
  // SASL: the server's JAAS file by path (its passwords stay in the 0600 file, off the command line);
  // with or without the archive.
  const secured = securityJvmFlags(spec.security, versionFacts(parseZkVersion(memberVersion(spec, member))!), securityFiles(ctx.paths).serverJaas(sp.id));
  const opts = { ...base, jvmFlags: [...(base.jvmFlags ?? []), ...cds.flags, ...secured], ...(cds.configDir ? { configDir: cds.configDir } : {}) };
  return cds.archive ? { opts, archive: cds.archive } : { opts };
}

/**
 * Whether a launch with `archive` died of a JVM crash (its `.out` file shows HotSpot's fatal
 * error banner): a damaged archive that passed its header check makes every JVM that maps it
 * die at start (SIGBUS). The archive is quarantined (see cds/archive.ts) and the server is
 * started again without it, saying so; the next healthy `up` builds a fresh one.
 */
async function crashedWithArchive(ctx: ServerContext, member: Member, archive: string): Promise<boolean> {
  const sp = ctx.paths.server(member.id);
  const names = await readdir(sp.logsDir).catch(() => [] as string[]);
  const out = names.filter((n) => n.endsWith('.out') && !/-cli-/.test(n)).map((n) => path.join(sp.logsDir, n));
  const texts = await Promise.all(out.map((f) => tailFile(f, 400).catch(() => '')));
  const crash = texts.map(diagnoseJvmCrash).find(Boolean);
  if (!crash) return false;
  const said = `${crash.signal}${crash.report ? `, report ${crash.report}` : ''}`;
  await quarantineArchive(cacheDir(ctx.env), archive, `server ${member.id}'s JVM crashed at start with it (${said})`, ctx.onNotice);
  ctx.onNotice?.(`server ${member.id}: its JVM crashed at start with the CDS archive (${crash.signal}); started it again without the archive`);
  return true;
}

export function defaultJvmFlags(env: NodeJS.ProcessEnv): string[] {
  return env.ZKPSEUDO_DEFAULT_JVM_FLAGS === '0' ? [] : FAST_JVM_FLAGS;
}

/**
 * What is wrong with a server's copy of ZooKeeper, or undefined when it looks whole: a tmp
 * cleaner may delete files and keep directories, so the directory existing proves nothing.
 */
export async function copyDamage(sp: ServerPaths, version?: string): Promise<string | undefined> {
  if (!(await stat(sp.root).catch(() => undefined))) return 'its directory is missing';
  if (await stat(path.join(sp.root, REPLACING_MARK)).catch(() => undefined)) return 'an unpack of it was cut short';
  for (const script of ['zkServer.sh', 'zkEnv.sh']) {
    if (!(await stat(path.join(sp.bin, script)).catch(() => undefined))) return `bin/${script} is missing`;
  }
  const files = [...(await readdir(path.join(sp.root, 'lib')).catch(() => [] as string[])), ...(await readdir(sp.root))];
  if (!files.some((f) => f.endsWith('.jar'))) return 'it has no ZooKeeper jars';
  // The release the jar's name says (zookeeper-3.9.3.jar) must be the one recorded for the server.
  const held = files.map((f) => /^zookeeper-(\d+\.\d+\.\d+(?:-(?:alpha|beta))?)\.jar$/.exec(f)?.[1]).find(Boolean);
  if (version && held && held !== version) return `it holds ZooKeeper ${held}, not ${version} as recorded`;
  return undefined;
}

export type StartOutcome = 'started' | 'already-running';

/**
 * Starts one server with zkServer.sh unless it runs already. A stale pid file (dead process,
 * or a pid reused by another program) is removed first: zkServer.sh would otherwise refuse to
 * start, and the other program is never signalled.
 */
export async function startOne(ctx: ServerContext, spec: EnsembleSpec, member: Member, live: LiveServer | undefined, onLaunch?: (launch: Launch) => void): Promise<StartOutcome> {
  if (live) return 'already-running';
  const sp = ctx.paths.server(member.id);
  const damage = await copyDamage(sp, memberVersion(spec, member));
  if (damage) {
    throw new ZkpseudoError(`Server ${member.id}'s copy of ZooKeeper (${sp.root}) is damaged: ${damage}.`, `Run \`zkpseudo up --name ${spec.name}\`: it unpacks the copy again and keeps its data.`);
  }
  // A certificate no peer would accept (expired, another CA's, not its key's) is named now,
  // not found later in a refused handshake while up waits.
  await checkServerCertificate(ctx.paths, spec, member.id);
  for (const repair of await writeServerFiles(ctx.paths, spec, [member.id])) ctx.onNotice?.(repair);
  const pid = await readPidFile(sp.pidFile, sp.config);
  if (pid.state !== 'none') {
    // No live server has this config (the process table says so), so any pid file is stale.
    ctx.onNotice?.(`server ${member.id}: removed a stale pid file (${pid.state === 'stale' ? pid.why : `pid ${pid.pid}`})`);
    await removePidFile(sp.home, sp.pidFile);
  }
  let movedData = false;
  let useCds = true;
  for (;;) {
    const { opts, archive } = await launchWithCds(sp, spec, member, ctx, useCds);
    const launch = await startServer(sp, opts, ctx.env);
    onLaunch?.(launch);
    let result = await launch.result;
    // The script's STARTED is not the last word (see confirm.ts): a JVM that dies before it
    // answers failed to start, and is handled below like any other failed start.
    if (result.ok && (await settleLaunch(ctx.paths, spec, member, launch)) !== 'gone') return 'started';
    if (result.ok) result = { ...result, ok: false, output: `${result.output}\nserver ${member.id} exited right after zkServer.sh started it` };
    // A JVM that crashed mapping the CDS archive: the archive is quarantined (it will not be
    // mapped again) and the server started once more, without any archive.
    if (archive && (await crashedWithArchive(ctx, member, archive))) {
      useCds = false;
      await removePidFile(sp.home, sp.pidFile);
      continue;
    }
    // A file a crash left half-written, which the server can read nothing from, is moved aside
    // (never deleted) and the start tried once more; anything else is named, not touched.
    const moved = movedData ? undefined : await quarantineUnreadable(ctx.paths, member.id);
    if (!moved) throw await startFailure(ctx.paths, spec, member.id, result.output);
    movedData = true;
    // The dead JVM's pid file stays behind, and zkServer.sh refuses to start while `kill -0` of
    // that pid succeeds — which it does for a moment, while the exited JVM is still a zombie.
    await removePidFile(sp.home, sp.pidFile);
    ctx.onNotice?.(`server ${member.id}: ${moved}; started it again`);
  }
}

/** The latest log's last lines, enough to hold a start's stack trace. */
async function recentLog(paths: EnsemblePaths, id: number): Promise<string> {
  return logTail(paths, id, 300);
}

/** Moves aside the file a failed start choked on, if the log shows it unreadable; says what it did. */
async function quarantineUnreadable(paths: EnsemblePaths, id: number): Promise<string | undefined> {
  const sp = paths.server(id);
  const cause = diagnoseStartFailure(await recentLog(paths, id));
  if (!cause?.movable || !cause.file || !cause.file.startsWith(sp.dataDir + path.sep)) return undefined;
  const dest = path.join(sp.dataDir, 'zkpseudo-quarantine', `${path.basename(cause.file)}.${Date.now()}`);
  await mkdirOwned(sp.home, path.dirname(dest));
  await renameOwned(sp.home, cause.file, dest);
  return `${path.relative(sp.root, cause.file)} was unreadable (${cause.problem}); moved it to ${path.relative(sp.root, dest)}`;
}

/** Whether the file system holding `dir` has less than 1 MiB left (false when it cannot tell). */
async function nearlyFull(dir: string): Promise<boolean> {
  const fs = await statfs(dir).catch(() => undefined);
  return !!fs && fs.bavail * fs.bsize < 1024 * 1024;
}

/**
 * A start that failed, named from the script's output and the server's own log. Data out of
 * step with the ensemble's points at `zkpseudo repair` when the others can hold a quorum.
 */
export async function startFailure(paths: EnsemblePaths, spec: EnsembleSpec, id: number, output: string): Promise<ZkpseudoError> {
  const name = spec.name;
  const tail = await logTail(paths, id);
  const said = output.split('\n').filter(Boolean).slice(-2).join(' ') || 'zkServer.sh failed';
  const cause = diagnoseStartFailure(await recentLog(paths, id));
  // A disk that is full may not even hold the log line that would say so: ask the file system.
  if (cause?.diskFull || (!cause && (await nearlyFull(paths.server(id).dataDir)))) {
    const dataDir = paths.server(id).dataDir;
    return new ZkpseudoError(`Server ${id} did not start: the disk that holds ${dataDir} is full (No space left on device).`, `Free space on the file system that holds ${dataDir} (\`df -h ${dataDir}\`), then run the command again.`);
  }
  if (cause) {
    const others = spec.members.map((m) => m.id).filter((m) => m !== id);
    return new ZkpseudoError(
      `Server ${id} did not start: ${cause.file ? `${cause.file}: ` : ''}${cause.problem}.`,
      cause.outOfStep && othersCanHoldQuorum(spec.members, id)
        ? repairHint(id, name, others)
        : cause.file
        ? `Move that file out of the way (\`mv ${cause.file} ${cause.file}.bad\`) and run the command again, or start afresh with \`zkpseudo down --purge --name ${name}\`.`
        : `Start afresh with \`zkpseudo down --purge --name ${name}\`, or read \`zkpseudo logs ${id} --name ${name}\`.`,
      undefined,
      tail ? { details: `--- ${paths.server(id).logsDir} (last lines) ---\n${tail}` } : undefined,
    );
  }
  return new ZkpseudoError(
    `Server ${id} did not start: ${said}`,
    `Read the server's log with \`zkpseudo logs ${id} --name ${name}\`.`,
    undefined,
    tail ? { details: `--- ${paths.server(id).logsDir} (last lines) ---\n${tail}` } : undefined,
  );
}

export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/**
 * Stops one server as `zkServer.sh stop` does on 3.5.1+ — SIGTERM, then remove the pid file —
 * but only the process the process table shows is this server (the script signals whatever
 * the file says), with SIGCONT after it so a paused server can act on it, without the
 * script's fixed one-second sleep, and waiting until the process is really gone (SIGKILL
 * after `graceMs`).
 */
export async function stopOne(ctx: ServerContext, id: number, live: LiveServer | undefined, graceMs = 10_000): Promise<StopOutcome> {
  const sp = ctx.paths.server(id);
  if (!live) {
    const pid = await readPidFile(sp.pidFile, sp.config);
    if (pid.state !== 'none') {
      ctx.onNotice?.(`server ${id}: removed a stale pid file (${pid.state === 'stale' ? pid.why : `pid ${pid.pid}`}); nothing was signalled`);
      await removePidFile(sp.home, sp.pidFile);
    }
    return 'not-running';
  }
  return stopProcess(sp, live.pid, graceMs);
}

/** How long a SIGKILLed process may take to leave the process table before we say we cannot tell. */
const KILL_GRACE_MS = 5_000;

/** A server that would not go: neither "stopped" nor "killed" can be said of it. */
function stillRunning(sp: ServerPaths, pid: number, after: string): ZkpseudoError {
  return new ZkpseudoError(
    `Server ${sp.id}'s process ${pid} still runs ${after}, so it is not reported stopped.`,
    `Look at it with \`ps -o pid,stat,cmd -p ${pid}\` (state D: it waits on the kernel, such as a hung disk); it goes once the kernel lets it. Run the command again then.`,
  );
}

/**
 * SIGTERM (and SIGCONT), wait, SIGKILL: for a pid already known to be this server's. Says
 * "stopped" or "killed" only once it has seen the process leave the table (or its pid go to
 * another program); when the table cannot be read or the process will not go, it throws.
 */
export async function stopProcess(sp: ServerPaths, pid: number, graceMs = 10_000): Promise<StopOutcome> {
  if (await signalServer(pid, sp.config, 'SIGTERM')) await signalServer(pid, sp.config, 'SIGCONT');
  await removePidFile(sp.home, sp.pidFile);
  if (await waitServerGone(pid, sp.config, graceMs)) return 'stopped';
  await signalServer(pid, sp.config, 'SIGKILL');
  if (!(await waitServerGone(pid, sp.config, KILL_GRACE_MS))) throw stillRunning(sp, pid, `${Math.round((graceMs + KILL_GRACE_MS) / 1000)} s after SIGTERM and SIGKILL`);
  await removeOwned(sp.home, sp.pidFile);
  return 'killed';
}

/**
 * SIGKILLs one server, as a crash would, and waits until it is gone. The pid file the crash
 * leaves is removed then: zkpseudo did the kill, so a later command has nothing to warn about.
 */
export async function killOne(ctx: ServerContext, id: number, live: LiveServer | undefined): Promise<boolean> {
  if (!live) return false;
  const sp = ctx.paths.server(id);
  const sent = await signalServer(live.pid, sp.config, 'SIGKILL');
  if (!sent) return false;
  if (!(await waitServerGone(live.pid, sp.config, KILL_GRACE_MS))) throw stillRunning(sp, live.pid, `${KILL_GRACE_MS / 1000} s after SIGKILL`);
  // zkServer.sh wrote it; only if it still names the killed process (nothing started since).
  const left = await readPidFile(sp.pidFile, sp.config);
  if (left.state === 'stale' && left.pid === live.pid) await removeOwned(ctx.paths.home, sp.pidFile);
  return true;
}
