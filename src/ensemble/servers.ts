/** Starting, stopping and killing one server, with the pid checks that keep strangers safe. */
import { rm } from 'node:fs/promises';
import { ZkpseudoError } from '../errors.js';
import { readServerPid, removePidFile, signalServer, waitGone } from '../edge/process.js';
import { startServer, stopServer, type LaunchOptions } from '../edge/server.js';
import type { EnsembleSpec, Member } from '../spec/types.js';
import { ensemblePaths } from './layout.js';
import { latestLogFile, tailFile } from './logs.js';

export interface ServerContext {
  home: string;
  env: NodeJS.ProcessEnv;
  onNotice?: (text: string) => void;
}

/** JVM settings every server gets; see the README's "Defaults and why". */
export function launchOptions(spec: EnsembleSpec): LaunchOptions {
  return { heapMb: spec.heapMb, jvmFlags: defaultJvmFlags(spec) };
}

/** Flags suited to short-lived test servers; ZKPSEUDO_JVM_FLAGS appends (and can override) them. */
export function defaultJvmFlags(_spec: EnsembleSpec): string[] {
  return [];
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
export async function startOne(ctx: ServerContext, spec: EnsembleSpec, member: Member): Promise<StartOutcome> {
  const paths = ensemblePaths(ctx.home, spec.name).server(member.id);
  const pid = await readServerPid(paths.pidFile, paths.config);
  if (pid.state === 'running') return 'already-running';
  if (pid.state === 'stale') {
    ctx.onNotice?.(`server ${member.id}: removed a stale pid file (${pid.why})`);
    await removePidFile(paths.pidFile);
  }
  const result = await startServer(paths, launchOptions(spec), ctx.env);
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
 * Stops one server with zkServer.sh stop (SIGTERM on 3.5.1+) and waits until its process is
 * gone, sending SIGKILL after `graceMs`. Only a pid whose command line is this server's is
 * ever signalled.
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
  await stopServer(paths, launchOptions(spec), ctx.env);
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
