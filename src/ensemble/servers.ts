/** Starting, stopping and killing one server, with the pid checks that keep strangers safe. */
import { rm, stat } from 'node:fs/promises';
import { writeServerFiles } from './files.js';
import { ZkpseudoError } from '../errors.js';
import { readServerPid, removePidFile, signalServer, waitGone } from '../edge/process.js';
import { startServer, type Launch, type LaunchOptions } from '../edge/server.js';
import type { EnsembleSpec, Member } from '../spec/types.js';
import { ensemblePaths } from './layout.js';
import { latestLogFile, tailFile } from './logs.js';

export interface ServerContext {
  home: string;
  env: NodeJS.ProcessEnv;
  onNotice?: (text: string) => void;
}

/** JVM settings every server gets; see the README's "Defaults and why". */
export function launchOptions(spec: EnsembleSpec, env: NodeJS.ProcessEnv): LaunchOptions {
  return { heapMb: spec.heapMb, jvmFlags: [...defaultJvmFlags(env), ...(env.ZKPSEUDO_JVM_FLAGS ?? '').split(/\s+/).filter(Boolean)] };
}

/**
 * Flags suited to test servers, each measured by `npm run bench` (README "Defaults and why"):
 * C1-only JIT and the serial collector start a small JVM faster and keep it smaller; no
 * hsperfdata file. All exist on Java 7 and later. ZKPSEUDO_DEFAULT_JVM_FLAGS=0 turns them off;
 * ZKPSEUDO_JVM_FLAGS adds flags after them (a later flag wins).
 */
export const FAST_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData'];

export function defaultJvmFlags(env: NodeJS.ProcessEnv): string[] {
  return env.ZKPSEUDO_DEFAULT_JVM_FLAGS === '0' ? [] : FAST_JVM_FLAGS;
}

/** The tail of a server's log, for error messages ("" when there is none yet). */
export async function logTail(home: string, spec: EnsembleSpec, id: number, lines = 15): Promise<string> {
  const file = await latestLogFile(ensemblePaths(home, spec.name).server(id).logsDir);
  return file ? tailFile(file, lines).catch(() => '') : '';
}

export type StartOutcome = 'started' | 'already-running';

/**
 * Starts one server with zkServer.sh unless it is already running. A stale pid file (dead
 * process, or a pid reused by another program) is removed first: zkServer.sh would otherwise
 * refuse to start, and the other program is never signalled.
 */
export async function startOne(ctx: ServerContext, spec: EnsembleSpec, member: Member, onLaunch?: (launch: Launch) => void): Promise<StartOutcome> {
  const paths = ensemblePaths(ctx.home, spec.name).server(member.id);
  const pid = await readServerPid(paths.pidFile, paths.config);
  if (pid.state === 'running') return 'already-running';
  if (!(await stat(paths.bin).catch(() => undefined))) {
    throw new ZkpseudoError(`Server ${member.id}'s copy of ZooKeeper (${paths.root}) is missing.`, `Run \`zkpseudo up --name ${spec.name}\` to unpack it again (data in other servers is kept).`);
  }
  for (const repair of await writeServerFiles(ctx.home, spec, [member.id])) ctx.onNotice?.(repair);
  if (pid.state === 'stale') {
    ctx.onNotice?.(`server ${member.id}: removed a stale pid file (${pid.why})`);
    await removePidFile(paths.pidFile);
  }
  const launch = await startServer(paths, launchOptions(spec, ctx.env), ctx.env);
  onLaunch?.(launch);
  const result = await launch.result;
  if (!result.ok) {
    const tail = await logTail(ctx.home, spec, member.id);
    throw new ZkpseudoError(
      `Server ${member.id} did not start: ${result.output.split('\n').slice(-2).join(' ')}${tail ? `\n--- ${paths.logsDir} (last lines) ---\n${tail}` : ''}`,
      `Read the server's log with \`zkpseudo logs ${member.id} --name ${spec.name}\`.`,
    );
  }
  return 'started';
}

export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/**
 * Stops one server as `zkServer.sh stop` does on 3.5.1+ — SIGTERM, then remove the pid file —
 * but signals the pid only after checking its command line is this server's (the script
 * signals whatever the file says), skips the script's fixed one-second sleep, and waits until
 * the process is really gone, sending SIGKILL after `graceMs`.
 */
export async function stopOne(ctx: ServerContext, spec: EnsembleSpec, member: Member, graceMs = 10_000): Promise<StopOutcome> {
  const paths = ensemblePaths(ctx.home, spec.name).server(member.id);
  const pid = await readServerPid(paths.pidFile, paths.config);
  if (pid.state === 'none') return 'not-running';
  if (pid.state === 'stale') {
    ctx.onNotice?.(`server ${member.id}: removed a stale pid file (${pid.why}); nothing was signalled`);
    await removePidFile(paths.pidFile);
    return 'not-running';
  }
  await signalServer(pid.pid, paths.config, 'SIGTERM');
  await removePidFile(paths.pidFile);
  if (await waitGone(pid.pid, graceMs)) return 'stopped';
  await signalServer(pid.pid, paths.config, 'SIGKILL');
  await waitGone(pid.pid, 5_000);
  await rm(paths.pidFile, { force: true });
  return 'killed';
}

/** SIGKILLs one server, as a crash would: the pid file stays behind, stale. */
export async function killOne(ctx: ServerContext, spec: EnsembleSpec, member: Member): Promise<boolean> {
  const paths = ensemblePaths(ctx.home, spec.name).server(member.id);
  const pid = await readServerPid(paths.pidFile, paths.config);
  if (pid.state !== 'running') return false;
  const sent = await signalServer(pid.pid, paths.config, 'SIGKILL');
  if (sent) await waitGone(pid.pid, 5_000);
  return sent;
}
