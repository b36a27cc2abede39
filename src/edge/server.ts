/** The only place that runs ZooKeeper's own scripts (bin/zkServer.sh, bin/zkCli.sh). */
import { execa } from 'execa';
import path from 'node:path';
import type { ServerPaths } from '../ensemble/layout.js';

export interface LaunchOptions {
  /** Java heap in MiB. */
  heapMb: number;
  /** Extra JVM flags for the server (after the heap flags). */
  jvmFlags?: string[];
}

/**
 * The environment zkServer.sh gets: only what a server needs, nothing inherited that would
 * change it behind our back (CLASSPATH is appended by zkEnv.sh; JVMFLAGS and a stray JMXPORT
 * would reach the JVM). Each server has its own log dir, pid file and config dir.
 */
export function serverEnv(paths: ServerPaths, opts: LaunchOptions, base: NodeJS.ProcessEnv): Record<string, string> {
  const keep = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'JAVA_HOME', 'TMPDIR', 'HOSTNAME'];
  const env: Record<string, string> = {};
  for (const k of keep) if (base[k] !== undefined) env[k] = base[k]!;
  return {
    ...env,
    ZOOCFGDIR: paths.confDir,
    ZOO_LOG_DIR: paths.logsDir,
    ZOOPIDFILE: paths.pidFile,
    // 3.4–3.7 read the root logger from here; a file log beats one buried in the .out file.
    ZOO_LOG4J_PROP: 'INFO,ROLLINGFILE',
    JMXDISABLE: 'true',
    // ZK_SERVER_HEAP is honoured from 3.5; -Xmx in SERVER_JVMFLAGS comes later on the command line and wins everywhere.
    ZK_SERVER_HEAP: String(opts.heapMb),
    SERVER_JVMFLAGS: [`-Xmx${opts.heapMb}m`, ...(opts.jvmFlags ?? [])].join(' '),
    CLASSPATH: '',
    JVMFLAGS: '',
  };
}

export interface ScriptResult {
  ok: boolean;
  /** stdout and stderr together, for error messages. */
  output: string;
}

async function zkServer(paths: ServerPaths, action: 'start' | 'stop', env: Record<string, string>): Promise<ScriptResult> {
  const result = await execa(path.join(paths.bin, 'zkServer.sh'), [action, paths.config], {
    env,
    extendEnv: false,
    // 3.4 writes zookeeper.out and heap dumps into the current directory: keep them in the server's own.
    cwd: paths.root,
    reject: false,
    all: true,
    stdin: 'ignore',
  });
  return { ok: result.exitCode === 0, output: (result.all ?? '').trim() };
}

/** `bin/zkServer.sh start <zoo.cfg>`: forks the JVM and returns (it never waits for the server to serve). */
export function startServer(paths: ServerPaths, opts: LaunchOptions, base: NodeJS.ProcessEnv): Promise<ScriptResult> {
  return zkServer(paths, 'start', serverEnv(paths, opts, base));
}

/** `bin/zkServer.sh stop <zoo.cfg>`: signals the pid in the pid file and removes the file. */
export function stopServer(paths: ServerPaths, opts: LaunchOptions, base: NodeJS.ProcessEnv): Promise<ScriptResult> {
  return zkServer(paths, 'stop', serverEnv(paths, opts, base));
}
