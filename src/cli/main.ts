#!/usr/bin/env node
/**
 * The zkpseudo command line. Commands are imported lazily so `status` starts fast; only this
 * file prints errors and sets the exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, fromSystemError, ZkpseudoError } from '../errors.js';
import type { CommandContext, GlobalOptions } from './context.js';

const VERSION = '0.1.0';

function collectConfig(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new ZkpseudoError(`--config "${value}" is not key=value.`, 'Write it like --config forceSync=no.', ExitCode.usage);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** A whole number flag, within bounds (a typo like 9999999999 is an error, not a hang). */
function int(flag: string, min = 0, max = 65535) {
  return (value: string): number => {
    if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new ZkpseudoError(`${flag} "${value}" is not a whole number from ${min} to ${max}.`, `Give ${flag} a number in that range.`, ExitCode.usage);
    }
    return Number(value);
  };
}

/** A refresh interval: seconds ("2", "0.5") or a duration ("500ms"), from 0.1 s to an hour; in ms. */
function interval(value: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : /^\d+(\.\d+)?(ms|s|m)$/.test(value) ? parseDurationMs(value) : NaN;
  if (!(ms >= 100 && ms <= 3_600_000)) throw new ZkpseudoError(`--interval "${value}" is not an interval from 0.1 s to 1 h.`, 'Give seconds, like --interval 2, or a duration like 500ms.', ExitCode.usage);
  return ms;
}

function parseDurationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value)!;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
}

async function context(cmd: Command): Promise<CommandContext> {
  const { commandContext } = await import('./context.js');
  return commandContext(cmd.optsWithGlobals<GlobalOptions>());
}

/** Runs one command action and turns its result or error into an exit code. */
function action<A extends unknown[]>(fn: (c: CommandContext, ...args: A) => Promise<number>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const c = await context(cmd);
    process.exitCode = await fn(c, ...(args.slice(0, -1) as A));
  };
}

export function buildProgram(): Command {
  const program = new Command('zkpseudo')
    .description('Stand up a real Apache ZooKeeper ensemble on this machine, see who leads, tear it down.')
    .version(VERSION)
    .option('-n, --name <name>', 'ensemble name (default: "default", or the name in an ensemble file)')
    .option('--home <dir>', 'where ensembles live (default: $ZKPSEUDO_HOME or ~/.zkpseudo)')
    .option('--json', 'print machine-readable JSON on stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--debug', 'show stack traces of errors (also ZKPSEUDO_DEBUG=1)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('up')
    .description('create (or resume) an ensemble and wait for a healthy quorum')
    .argument('[servers]', 'number of voting servers (default 3)', int('servers', 0, 999_999_999))
    .option('-f, --file <ensemble.yaml>', 'read options from an ensemble file; flags given here override it')
    .option('--zk-version <x.y.z>', 'ZooKeeper release (default: the pinned release, else a system install)')
    .option('--observers <k>', 'non-voting observers to add', int('--observers'))
    .option('--base-port <p>', 'first port of a compact block (client ports first)', int('--base-port'))
    .addOption(new Option('--ports <scheme>', '"auto" finds a free block; "classic" is 2181/2888/3888').choices(['auto', 'classic']))
    .option('--admin-port <auto|P>', 'turn on the AdminServer, each server on its own 127.0.0.1 port', (v: string) => (v === 'auto' ? 'auto' : int('--admin-port')(v)))
    .option('--heap <size>', 'Java heap per server, like 128m or 1g')
    .option('--dist <source>', 'a tarball, an unpacked directory, a URL, or "system"')
    .option('--mirror <url>', 'Apache-dist-shaped base URL to download from (default: $ZKPSEUDO_MIRROR)')
    .option('--timeout <duration>', 'how long to wait for a healthy quorum, like 60s or 2m')
    .option('--no-wait', 'return once the servers are started')
    .option('--offline', 'never use the network: the cache or a system install only (also ZKPSEUDO_OFFLINE=1)')
    .option('--config <key=value>', 'extra zoo.cfg key (repeatable)', collectConfig)
    .option('--owner <pid>', 'stop the servers when this process exits, however it dies (data kept)', int('--owner', 1, 2 ** 22))
    .action(action(async (c, servers: number | undefined, o: Record<string, unknown>) => {
      const { upCommand } = await import('./commands/up.js');
      return upCommand(c, o.file as string | undefined, {
        ...(servers !== undefined ? { servers } : {}),
        ...(o.zkVersion ? { zkVersion: o.zkVersion as string } : {}),
        ...(o.observers !== undefined ? { observers: o.observers as number } : {}),
        ...(o.basePort !== undefined ? { ports: o.basePort as number } : o.ports ? { ports: o.ports as 'auto' } : {}),
        ...(o.adminPort !== undefined ? { adminPort: o.adminPort as 'auto' | number } : {}),
        ...(o.heap ? { heap: o.heap as string } : {}),
        ...(o.dist ? { dist: o.dist as string } : {}),
        ...(o.mirror ? { mirror: o.mirror as string } : {}),
        ...(o.timeout ? { timeout: o.timeout as string } : {}),
        ...(o.config ? { config: o.config as Record<string, string> } : {}),
        ...(o.owner !== undefined ? { owner: o.owner as number } : {}),
        ...(o.offline ? { offline: true } : {}),
        wait: o.wait !== false,
      });
    }));

  program
    .command('status')
    .description('each server\'s role and the quorum\'s health (exit 0 healthy, 1 degraded, 2 no quorum, 3 no such ensemble)')
    .option('-w, --watch', 'refresh until Ctrl-C')
    .option('--interval <seconds>', 'refresh interval for --watch (0.1 to 3600 s, or like 500ms)', interval, 1000)
    .action(action(async (c, o: { watch?: boolean; interval?: number }) => (await import('./commands/status.js')).statusCommand(c, o)));

  program
    .command('down')
    .description('stop every server and wait until their processes are gone; data is kept')
    .option('--purge', 'also delete the ensemble and its data')
    .action(action(async (c, o: { purge?: boolean }) => (await import('./commands/servers.js')).downCommand(c, o)));

  const selectorHelp = 'a server number, "leader" or "all"';
  program.command('stop').description('stop servers').argument('<id>', selectorHelp)
    .action(action(async (c, id: string) => (await import('./commands/servers.js')).stopCommand(c, id)));
  program.command('start').description('start servers (a running one is left alone)').argument('<id>', selectorHelp)
    .action(action(async (c, id: string) => (await import('./commands/servers.js')).startCommand(c, id)));
  program.command('restart').description('stop, then start servers').argument('<id>', selectorHelp)
    .action(action(async (c, id: string) => (await import('./commands/servers.js')).restartCommand(c, id)));
  program.command('kill').description('SIGKILL servers, as a crash would (fault injection)').argument('<id>', selectorHelp)
    .action(action(async (c, id: string) => (await import('./commands/servers.js')).killCommand(c, id)));

  program.command('ls').description('every ensemble under the home dir, with its state')
    .action(action(async (c) => (await import('./commands/info.js')).lsCommand(c)));
  program.command('gc').description('stop servers zkpseudo started whose ensemble is gone or damaged, or whose owner exited; remove stale locks')
    .option('--dry-run', 'only say what would be stopped and removed')
    .action(action(async (c, o: { dryRun?: boolean }) => (await import('./commands/info.js')).gcCommand(c, o)));
  program.command('env').description('shell lines (ZK_CONNECT=…) for eval "$(zkpseudo env)"')
    .action(action(async (c) => (await import('./commands/info.js')).envCommand(c)));
  program.command('logs').description('show (or follow) one server\'s log').argument('<id>', 'a server number or "leader"')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--lines <n>', 'how many lines to show first (1 to 100000)', int('--lines', 1, 100_000), 50)
    .action(action(async (c, id: string, o: { follow?: boolean; lines?: number }) => (await import('./commands/info.js')).logsCommand(c, id, o)));
  program.command('cli').description('open ZooKeeper\'s own zkCli.sh on one server (or the whole connect string)')
    .argument('[id]', 'a server number or "leader"').argument('[args...]', 'passed on to zkCli.sh')
    .action(action(async (c, id: string | undefined, args: string[]) => (await import('./commands/info.js')).cliCommand(c, id, args)));

  program.command('check').description('prove the ensemble serves: znodes of every kind, reads through every server, a watch, ephemeral cleanup')
    .action(action(async (c) => (await import('./commands/check.js')).checkCommand(c)));

  const cache = program.command('cache').description('the downloaded tarballs');
  cache.command('ls').description('list cached tarballs').action(action(async (c) => (await import('./commands/cache.js')).cacheLsCommand(c)));
  cache.command('clear').description('delete the cache').action(action(async (c) => (await import('./commands/cache.js')).cacheClearCommand(c)));
  return program;
}

/** Prints an error as two sentences (what went wrong; what to do) and returns its exit code. */
function report(err: unknown, debug: boolean, json: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return ExitCode.usage;
  }
  const known = err instanceof ZkpseudoError ? err : fromSystemError(err);
  if (known) {
    process.stderr.write(`error: ${known.message}\n`);
    if (known.details) process.stderr.write(`${known.details}\n`);
    process.stderr.write(`hint: ${known.hint}\n`);
    if (json) writeOut(`${JSON.stringify({ error: { message: known.message, hint: known.hint, exitCode: known.exitCode } }, null, 2)}\n`);
    if (debug && (err as Error).stack) process.stderr.write(`${(err as Error).stack}\n`);
    return known.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`error: ${e?.message ?? String(err)}\n`);
  process.stderr.write('hint: this looks like a bug in zkpseudo; run again with --debug and report the output.\n');
  if (json) writeOut(`${JSON.stringify({ error: { message: e?.message ?? String(err), hint: 'this looks like a bug in zkpseudo', exitCode: ExitCode.failed } }, null, 2)}\n`);
  if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
  return ExitCode.failed;
}

/** False once stdout is a closed pipe (`zkpseudo check | head -1`): later output is dropped. */
let stdoutOpen = true;
function writeOut(text: string): void {
  if (stdoutOpen) process.stdout.write(text);
}

/**
 * A reader that went away (EPIPE) is not an error of the command: output stops, the command
 * finishes its work (and its cleanup), and exits with its own code.
 */
function tolerateClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      if (stream === process.stdout) stdoutOpen = false;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  tolerateClosedPipes();
  const program = buildProgram();
  const debug = argv.includes('--debug') || process.env.ZKPSEUDO_DEBUG === '1';
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err, debug, argv.includes('--json'));
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
  // Whatever a library left open (a socket to an unanswering proxy, a timer) must not keep the
  // command alive once it has decided how to end: exit after a moment for stdout to drain.
  setTimeout(() => process.exit(code), 500).unref();
});
