/** The only place that runs ZooKeeper's server script, bin/zkServer.sh. */
import path from 'node:path';
import type { ServerPaths } from '../../ensemble/store/layout.js';

export interface LaunchOptions {
  /** Java heap in MiB. */
  heapMb: number;
  /** Extra JVM flags for the server (after the heap flags). */
  jvmFlags?: string[];
  /** ZOOCFGDIR, when not the server's own conf dir (the shared empty one CDS needs). */
  configDir?: string;
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
    ZOOCFGDIR: opts.configDir ?? paths.confDir,
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

/** A running `zkServer.sh start`: its result, and a way to stop waiting for it. */
export interface Launch {
  result: Promise<ScriptResult>;
  /**
   * Lets this process exit without waiting for the script: after forking the JVM it only
   * sleeps a fixed second before checking the pid. Used once the quorum is proven healthy.
   */
  detach(): void;
  /** Whether detach() was called: whoever waits on this launch should stop waiting too. */
  readonly detached: boolean;
}

/**
 * Runs the script with node:child_process rather than execa: importing execa costs 50–80 ms
 * of main-thread time, and `up` spends it right where the JVMs should be starting (measured
 * with the benchmark). What is needed here is small: an environment of its own, a cwd, both
 * output streams for error messages, the exit code, and a way to stop waiting.
 */
async function zkServer(paths: ServerPaths, action: 'start', env: Record<string, string>): Promise<Launch> {
  const { spawn } = await import('node:child_process');
  const child = spawn(path.join(paths.bin, 'zkServer.sh'), [action, paths.config], {
    env,
    // 3.4 writes zookeeper.out and heap dumps into the current directory: keep them in the server's own.
    cwd: paths.root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own session and process group: a Ctrl-C in the terminal goes to the whole foreground
    // group, and would kill the script in its `sleep 1` after it forked the JVM, leaving a server
    // that `up` never learnt of. Detached, the script finishes; `up` stops what it started.
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const result = new Promise<ScriptResult>((resolve) => {
    child.once('error', (err) => resolve({ ok: false, output: `${output}\n${err.message}`.trim() }));
    child.once('close', (code) => resolve({ ok: code === 0, output: output.trim() }));
  });
  let detached = false;
  return {
    result,
    get detached() { return detached; },
    detach() {
      detached = true;
      child.unref();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      (child.stderr as unknown as { unref?: () => void }).unref?.();
    },
  };
}

/** `bin/zkServer.sh start <zoo.cfg>`: forks the JVM and returns (it never waits for the server to serve). */
export function startServer(paths: ServerPaths, opts: LaunchOptions, base: NodeJS.ProcessEnv): Promise<Launch> {
  return zkServer(paths, 'start', serverEnv(paths, opts, base));
}
