/**
 * The command tree: every command, option and help text. Commands are imported lazily so
 * `status` starts fast; nothing here prints or exits (main.ts does).
 */
import { readFileSync } from 'node:fs';
import { Argument, Command, Option } from 'commander';
import { ExitCode, ZkpseudoError } from '../errors.js';
import { checkConfigValue } from '../zk/config/key-types.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { packageFile } from '../edge/fs/package-files.js';

/** The package's own version, read from package.json (never a constant that drifts). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * One `--config key=value`. A known key's value is checked here, so the error quotes the flag
 * as typed; `up` checks every key again (managed keys, combinations) with the file's.
 */
function collectConfig(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new ZkpseudoError(`--config "${value}" is not key=value.`, 'Write it like --config forceSync=no.', ExitCode.usage);
  const checked = checkConfigValue(value.slice(0, eq), value.slice(eq + 1));
  if (!checked.ok) throw new ZkpseudoError(`--config ${value}: ${checked.problem}.`, 'Give the key a value of that kind, or leave it out for ZooKeeper\'s default.', ExitCode.usage);
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

/** A refresh interval: seconds ("2", "0.5") or a duration ("500ms", "2s"), from 0.1 s to an hour; in ms. */
function interval(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!(ms >= 100 && ms <= 3_600_000)) throw new ZkpseudoError(`--interval "${value}" is not an interval from 0.1 s to 1 h.`, 'Give seconds, like --interval 2, or a duration like 500ms.', ExitCode.usage);
  return ms;
}

async function context(cmd: Command): Promise<CommandContext> {
  const { commandContext } = await import('./context.js');
  return commandContext(cmd.optsWithGlobals<GlobalOptions>());
}

/** Runs one command action and turns its result into the exit code. */
function action<A extends unknown[]>(fn: (c: CommandContext, ...args: A) => Promise<number>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const c = await context(cmd);
    process.exitCode = await fn(c, ...(args.slice(0, -1) as A));
  };
}

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

/**
 * `--connect` on a client command: any ensemble by its connect string instead of a local one.
 * Commands that talk to the servers only through the client port take it (status, wait,
 * check, dump, seed and reset), and resolve it with cli/target.ts.
 */
function withConnect(cmd: Command): Command {
  return cmd
    .option('--connect [host:port,...]', 'any ensemble by its connect string instead of a local one (without a value: $ZK_CONNECT)')
    .option('--tls', 'with --connect: speak TLS, trusting $ZK_TLS_CA, presenting $ZK_TLS_CERT and $ZK_TLS_KEY if set (as `zkpseudo env` prints them)')
    .option('--sasl', 'with --connect: log in with SASL (DIGEST-MD5) as $ZK_SASL_USER with $ZK_SASL_PASSWORD');
}

/** `--wait` and `--timeout` on the per-server commands. */
function withWait(cmd: Command, what: string): Command {
  return cmd
    .option('--wait', what)
    .option('--timeout <duration>', 'how long --wait waits, like 30s (default 60s)');
}

export function buildProgram(): Command {
  const program = new Command('zkpseudo')
    .description('Stand up a real Apache ZooKeeper ensemble on this machine, see who leads, tear it down.')
    .version(packageVersion(), '-v, --version', 'print the version')
    .option('-n, --name <name>', 'ensemble name (default: $ZKPSEUDO_NAME, the name in ./zkpseudo.yaml, or "default")')
    .option('--home <dir>', 'where ensembles live (default: $ZKPSEUDO_HOME or ~/.zkpseudo)')
    .option('--json', 'print machine-readable JSON on stdout (errors too)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--no-color', 'no colours (also NO_COLOR=1 or FORCE_COLOR=0)')
    .option('--debug', 'show stack traces of errors (also ZKPSEUDO_DEBUG=1)')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addHelpText('after', examples('zkpseudo up 3', 'zkpseudo status', 'zkpseudo kill leader --wait', 'zkpseudo down --purge'));

  program
    .command('up')
    .description('create (or resume) an ensemble and wait for a healthy quorum')
    .argument('[servers]', 'number of voting servers (default 3)', int('servers', 0, 999_999_999))
    .option('-f, --file <ensemble>', 'an ensemble file (FILE.yaml, or a shipped one by name: three, five, three-plus-observer); flags given here override it. Default: ./zkpseudo.yaml if present')
    .option('--zk-version <x.y.z>', 'ZooKeeper release (default: 3.9.5, else a system install)')
    .option('--observers <k>', 'non-voting observers to add (default 0)', int('--observers'))
    .option('--base-port <p>', 'first port of a compact block (client ports first)', int('--base-port'))
    .addOption(new Option('--ports <scheme>', '"auto" finds a free block; "classic" is 2181/2888/3888 (default classic)').choices(['auto', 'classic']))
    .option('--admin-port <auto|P>', 'turn on the AdminServer, each server on its own 127.0.0.1 port (default off)', (v: string) => (v === 'auto' ? 'auto' : int('--admin-port')(v)))
    .option('--heap <size>', 'Java heap per server, like 128m or 1g (default 128m)')
    .option('--dist <source>', 'a tarball, an unpacked directory, a URL, or "system" (default: download)')
    .option('--mirror <url>', 'Apache-dist-shaped base URL to download from (default: $ZKPSEUDO_MIRROR)')
    .option('--timeout <duration>', 'how long to wait for a healthy quorum, like 60s, 2m or 1h (default 60s)')
    .option('--no-wait', 'return once the servers are started')
    .option('--offline', 'never use the network: the cache or a system install only (also ZKPSEUDO_OFFLINE=1)')
    .option('--config <key=value>', 'extra zoo.cfg key (repeatable); on a running ensemble, applied by a rolling restart', collectConfig)
    .option('--owner <pid>', 'stop the servers when this process exits, however it dies (data kept)', int('--owner', 1, 2 ** 22))
    .option('--faults', 'route every link through zkpseudo\'s proxies, for isolate/partition/delay/heal')
    .option('--tick <duration>', 'ZooKeeper\'s tickTime, like 200ms (initLimit/syncLimit scaled); default 2000ms')
    .option('--seed <file>', 'then create the tree in FILE (as `zkpseudo dump` writes it; checked before anything starts)')
    .option('--tls', 'client TLS (a secure port beside the plain one) and quorum TLS, with keys made for the ensemble')
    .option('--tls-only', 'like --tls, with the plain client port closed')
    .addOption(new Option('--tls-client-auth <mode>', 'whether servers ask TLS clients for a certificate (default need)').choices(['need', 'want', 'none']))
    .option('--sasl', 'SASL DIGEST-MD5 for clients (enforced) and between servers, with generated users')
    .addHelpText('after', examples('zkpseudo up 3', 'zkpseudo up 5 --ports auto --json', 'zkpseudo up -f three-plus-observer', 'zkpseudo up 3 --owner $$ --tick 200ms --faults', 'zkpseudo up 3 --seed fixtures.yaml', 'zkpseudo up 3 --tls --sasl'))
    .action(action(async (c, servers: number | undefined, o: Record<string, unknown>) => {
      const { upCommand, flagsToOptions } = await import('./commands/up.js');
      return upCommand(c, o.file as string | undefined, flagsToOptions(servers, o), o.seed as string | undefined);
    }));

  withConnect(program
    .command('status')
    .description('each server\'s role and the quorum\'s health (exit 0 healthy, 1 degraded, 2 no quorum, 3 no such ensemble)')
    .option('-w, --watch', 'refresh until Ctrl-C (with --json: one JSON document per line)')
    .option('--interval <seconds>', 'refresh interval for --watch, 0.1 to 3600 s or like 500ms (default 1)', interval, 1000))
    .addHelpText('after', examples('zkpseudo status', 'zkpseudo status --json', 'zkpseudo status --watch --interval 500ms', 'zkpseudo status --connect zk1:2181,zk2:2181,zk3:2181', 'ZK_CONNECT=zk1:2181,zk2:2181 zkpseudo status --connect', 'eval "$(zkpseudo env --name secure)" && zkpseudo status --connect "$ZK_SECURE_CONNECT" --tls --sasl'))
    .action(action(async (c, o: { watch?: boolean; interval?: number; connect?: string | true; tls?: boolean; sasl?: boolean }) => (await import('./commands/status.js')).statusCommand(c, o)));

  program
    .command('down')
    .description('stop every server and wait until their processes are gone; data is kept')
    .option('--purge', 'also delete the ensemble and its data')
    .addHelpText('after', examples('zkpseudo down', 'zkpseudo down --purge --name ci'))
    .action(action(async (c, o: { purge?: boolean }) => (await import('./commands/servers.js')).downCommand(c, o)));

  program
    .command('upgrade')
    .description('move every server to another ZooKeeper release, one at a time (followers first, the leader last), keeping the data')
    .argument('<version>', 'the release to move to, like 3.9.3')
    .option('--rolling', 'one server at a time, waiting until the quorum serves again after each (the default, and the only way)')
    .option('--force', 'allow a downgrade (a release older than a server runs)')
    .option('--dist <source>', 'the release\'s tarball, directory, URL, or "system" (default: download)')
    .option('--mirror <url>', 'Apache-dist-shaped base URL to download from (default: $ZKPSEUDO_MIRROR)')
    .option('--offline', 'never use the network: the cache or a system install only')
    .option('--timeout <duration>', 'how long to wait for each server to serve again (default 60s)')
    .addHelpText('after', examples('zkpseudo upgrade 3.9.3', 'zkpseudo upgrade 3.9.3 --rolling --mirror http://mirror.local/apache', 'zkpseudo upgrade 3.8.4 --force'))
    .action(action(async (c, version: string, o: Record<string, unknown>) => (await import('./commands/upgrade.js')).upgradeCommand(c, version, o)));

  const selectorHelp = 'a server number, "leader" or "all"';
  const servers = (name: string, description: string, waitHelp: string, sample: string) =>
    withWait(program.command(name).description(description).argument('<id>', selectorHelp), waitHelp)
      .addHelpText('after', examples(`zkpseudo ${name} ${sample}`, `zkpseudo ${name} 2 --wait`))
      .action(action(async (c, id: string, o: { wait?: boolean; timeout?: string }) => (await import('./commands/servers.js')).serverCommand(c, name as 'stop', id, o)));
  servers('stop', 'stop servers (and wait until their processes are gone)', 'then wait until the others serve again (a leader, a quorum)', 'leader');
  servers('start', 'start servers (a running one is left alone)', 'then wait until the started servers serve', 'all');
  servers('restart', 'stop, then start servers', 'then wait until the restarted servers serve', 'leader');
  servers('kill', 'SIGKILL servers, as a crash would (fault injection)', 'then wait until the survivors serve (under a new leader, if the leader was killed)', 'leader');
  servers('pause', 'SIGSTOP servers: a hung server, a long GC pause (`resume` ends it)', 'then wait until the others serve again', 'leader');
  servers('resume', 'SIGCONT paused servers', 'then wait until the resumed servers serve', 'all');

  program.command('repair').description('move a server\'s out-of-step data aside (kept, never deleted) and resync it from the others; only while they hold a quorum')
    .argument('<id>', 'the number of the server that cannot start')
    .option('--timeout <duration>', 'how long to wait for it to serve again, like 2m (default 60s)')
    .addHelpText('after', `${examples('zkpseudo start 2            # fails: "its acceptedEpoch … is less than its currentEpoch"', 'zkpseudo repair 2           # data to zookeeper-2/data/zkpseudo-quarantine/<time>/, resynced', 'zkpseudo repair 2 --json --name ci')}
Repair refuses (exit 2, nothing changed) unless the other voters serve as a quorum without the
server: that quorum holds every acknowledged write, so dropping this server's copy loses none.
`)
    .action(action(async (c, id: string, o: { timeout?: string }) => (await import('./commands/servers.js')).repairCommand(c, id, o)));

  // The condition is checked by the command, not commander: `wait --connect healthy` hands it to --connect first.
  withConnect(program.command('wait').description('block until a condition holds: healthy, degraded, serving, leader, new-leader (other than the one the last fault removed), down ID')
    .argument('[condition...]', 'healthy | degraded | serving | leader | new-leader | down ID')
    .option('--timeout <duration>', 'give up after this long, exit 2 (default 60s)'))
    .addHelpText('after', examples('zkpseudo kill leader && zkpseudo wait new-leader', 'zkpseudo wait healthy --timeout 2m', 'zkpseudo wait down 2', 'zkpseudo wait healthy --connect zk1:2181,zk2:2181,zk3:2181'))
    .action(action(async (c, words: string[], o: { timeout?: string; connect?: string | true; tls?: boolean; sasl?: boolean }) => (await import('./commands/wait.js')).waitCommand(c, words, o)));

  for (const [name, description] of [
    ['isolate', 'cut one server off from every other server (needs an ensemble made with --faults)'],
    ['isolate-clients', 'cut one server off from its clients (needs --faults)'],
  ] as const) {
    program.command(name).description(description).argument('<id>', 'a server number or "leader"')
      .addHelpText('after', examples(`zkpseudo ${name} leader`, 'zkpseudo heal'))
      .action(action(async (c, id: string) => (await import('./commands/faults.js')).faultCommand(c, name, [id], {})));
  }
  program.command('partition').description('split the servers into groups that cannot reach each other (needs --faults)')
    .argument('<groups...>', 'comma-separated server ids, one argument per group, like 1,2 3,4,5')
    .addHelpText('after', examples('zkpseudo partition 1,2 3,4,5', 'zkpseudo heal'))
    .action(action(async (c, groups: string[]) => (await import('./commands/faults.js')).faultCommand(c, 'partition', groups, {})));
  program.command('delay').description('slow the link from one server to another (or to its clients: TO = clients) (needs --faults)')
    .argument('<from>', 'a server number or "leader"').argument('<to>', 'a server number, "leader", or "clients"').argument('<duration>', 'like 200ms')
    .option('--jitter <duration>', 'random extra delay up to this, like 50ms')
    .addHelpText('after', examples('zkpseudo delay 1 2 200ms --jitter 50ms', 'zkpseudo delay leader clients 500ms', 'zkpseudo heal'))
    .action(action(async (c, from: string, to: string, d: string, o: { jitter?: string }) => (await import('./commands/faults.js')).faultCommand(c, 'delay', [from, to, d], o)));
  program.command('heal').description('restore every link: undo isolate, partition, isolate-clients and delay')
    .action(action(async (c) => (await import('./commands/faults.js')).faultCommand(c, 'heal', [], {})));

  program.command('chaos').description('a reproducible random sequence of kills, pauses and (with --faults) partitions; heals at the end. With --workload, real clients meanwhile, recorded and checked')
    .option('--seed <n>', 'the seed to replay (default: a random one, printed)')
    .option('--duration <d>', 'how long, like 60s (default 60s)')
    .option('--interval <d>', 'a fault every this long, each undone half-way (default 5s)')
    .option('--workload <kind>', 'clients perform register (reads, writes, CAS), queue or lock operations meanwhile')
    .option('--check', 'check the recorded history: exit 2 on a violation (1: unknown)')
    .option('--history <file>', 'write the recorded history there (NDJSON; zkpseudo check-history reads it)')
    .option('--reads <rule>', 'plain reads judged "sequential" (ZooKeeper\'s documented rule, default) or "linearizable"')
    .option('--clients <k>', 'clients (default: one pinned to each server, plus one on the whole connect string)')
    .option('--rate <n>', 'operations per second, all clients together (default 100)')
    .addHelpText('after', examples('zkpseudo chaos --seed 42 --duration 30s', 'zkpseudo chaos --json --duration 2m > chaos.ndjson', 'zkpseudo chaos --seed 7 --workload register --check --history h.ndjson'))
    .action(action(async (c, o: Record<string, string | boolean | undefined>) => (await import('./commands/chaos.js')).chaosCommand(c, o)));
  program.command('check-history').description('check a history written by `chaos --history` again (exit 0 ok, 2 violation, 1 unknown)')
    .argument('<file>', 'an NDJSON history')
    .option('--reads <rule>', 'plain reads judged "sequential" (default) or "linearizable"')
    .option('--time-limit <d>', 'give up (unknown) after this long, like 5m (default 60s)')
    .addHelpText('after', examples('zkpseudo check-history h.ndjson', 'zkpseudo check-history h.ndjson --reads linearizable --json'))
    .action(action(async (c, file: string, o: { reads?: string; timeLimit?: string }) => (await import('./commands/chaos.js')).checkHistoryCommand(c, file, o)));

  program.command('ls').description('every ensemble under the home dir, with its state')
    .action(action(async (c) => (await import('./commands/info.js')).lsCommand(c)));
  program.command('gc').description('stop servers under the home dir whose ensemble is gone or damaged, or whose owner exited; remove stale locks')
    .option('--dry-run', 'only say what would be stopped and removed')
    .option('--all', 'stop such servers anywhere on this machine, whatever their home dir (default: only under --home; others are reported)')
    .addHelpText('after', examples('zkpseudo gc --dry-run', 'zkpseudo gc --home /tmp/ci-home', 'zkpseudo gc --all'))
    .action(action(async (c, o: { dryRun?: boolean; all?: boolean }) => (await import('./commands/info.js')).gcCommand(c, o)));
  program.command('env').description('shell lines (ZK_CONNECT=…) for eval "$(zkpseudo env)"')
    .addHelpText('after', examples('eval "$(zkpseudo env)"', 'zkpseudo env --json'))
    .action(action(async (c) => (await import('./commands/info.js')).envCommand(c)));
  program.command('logs').description('show (or follow) a server\'s log; "all" interleaves every server\'s, each line prefixed')
    .argument('<id>', 'a server number, "leader" or "all"')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C (across log rotation)')
    .option('--lines <n>', 'how many lines to show first, 1 to 100000 (default 50)', int('--lines', 1, 100_000), 50)
    .addHelpText('after', examples('zkpseudo logs leader', 'zkpseudo logs all -f'))
    .action(action(async (c, id: string, o: { follow?: boolean; lines?: number }) => (await import('./commands/logs.js')).logsCommand(c, id, o)));
  program.command('cli').description('ZooKeeper\'s own zkCli.sh on one server, or on the whole connect string ("all", or no id)')
    .argument('[id]', 'a server number, "leader" or "all"; anything else is the first of the args (whole connect string)').argument('[args...]', 'passed on to zkCli.sh untouched, except zkpseudo\'s own --name, --home, --json, --quiet, --no-color, --debug (after a "--", everything is passed)')
    .addHelpText('after', examples('zkpseudo cli', 'zkpseudo cli get /zookeeper/quota', 'zkpseudo cli 2 ls -R / --name ci', 'zkpseudo cli -- get /zookeeper/config'))
    .action(action(async (c, id: string | undefined, args: string[]) => (await import('./commands/info.js')).cliCommand(c, id, args)));

  withConnect(program.command('check').description('prove the ensemble serves: znodes of every kind, reads through every server, a watch, ephemeral cleanup'))
    .addHelpText('after', `\nIt writes under /zkpseudo-check-<random> (below the chroot, if the connect string has one) and deletes what it made.\n${examples('zkpseudo check', 'zkpseudo check --json', 'zkpseudo check --connect zk1:2181,zk2:2181,zk3:2181', 'zkpseudo check --connect "$ZK_SECURE_CONNECT" --tls --sasl')}`)
    .action(action(async (c, o: { connect?: string | true; tls?: boolean; sasl?: boolean }) => (await import('./commands/check.js')).checkCommand(c, o)));

  program.command('export').description('the ensemble as a Docker Compose file or Kubernetes objects for the official zookeeper image')
    .addArgument(new Argument('<target>', 'compose or kubernetes').choices(['compose', 'kubernetes']))
    .option('-f, --file <ensemble>', 'an ensemble file (FILE.yaml, or a shipped one: three, five, three-plus-observer). Default: ./zkpseudo.yaml, else the existing ensemble (--name)')
    .option('-o, --output <file>', 'write to this file (a regular file, created or replaced; never through a link) instead of stdout')
    .addHelpText('after', `
Carried over: servers and observers, the version (the image's tag), tick and limits, the
four-letter-word whitelist, extra config keys, the heap (JVMFLAGS; on Kubernetes, memory too),
TLS and SASL (--tls, --tls-only, --sasl): their zoo.cfg keys and JAAS flag, with the key stores
and JAAS file read from secrets you provide (Compose: ./secrets/ca.pem, zooN.pem, jaas.conf;
Kubernetes: Secrets <name>-tls with ca.pem and server.pem, <name>-jaas with jaas.conf).
Not carried over, and said so on stderr and in the file: --faults, --owner, a tick below 1s
(a loopback setting), a --dist build, the AdminServer's local port numbers, and this machine's
keys and SASL users (never exported).
${examples('zkpseudo export compose -f three --output compose.yaml && docker compose -p three -f compose.yaml up -d', 'zkpseudo export kubernetes --name ci > zookeeper.yaml && kubectl apply -f zookeeper.yaml', 'zkpseudo export kubernetes -f three-plus-observer --json')}`)
    .action(action(async (c, target: 'compose' | 'kubernetes', o: { file?: string; output?: string }) => (await import('./commands/export.js')).exportCommand(c, target, o)));

  // With --connect, reset, dump and seed act as an ordinary client (a local ensemble: as its super user).
  const collect = (v: string, prev: string[] = []) => [...prev, v];
  withConnect(program.command('reset').description('empty the tree: every znode but /zookeeper, ACL-protected ones, live ephemerals and quotas included'))
    .option('--keep <path>', 'keep this subtree (repeatable)', collect)
    .option('--yes', 'with --connect: yes, change that ensemble')
    .addHelpText('after', examples('zkpseudo reset', 'zkpseudo reset --keep /config --json', 'zkpseudo reset --connect 127.0.0.1:2181 --yes'))
    .action(action(async (c, o: { keep?: string[]; connect?: string | true; tls?: boolean; sasl?: boolean; yes?: boolean }) => (await import('./commands/tree.js')).resetCommand(c, o)));
  withConnect(program.command('dump').description('write a subtree as YAML (data as text or base64, ACLs, node kinds) that `seed` creates again')
    .argument('[path]', 'the subtree (default /, without ZooKeeper\'s own /zookeeper)'))
    .option('-o, --output <file>', 'write it to FILE instead of stdout')
    .addHelpText('after', examples('zkpseudo dump', 'zkpseudo dump /app --output app.yaml', 'zkpseudo dump --json | jq .count', 'zkpseudo dump /app --connect zk1:2181,zk2:2181'))
    .action(action(async (c, path: string | undefined, o: { output?: string; connect?: string | true; tls?: boolean; sasl?: boolean }) => (await import('./commands/tree.js')).dumpCommand(c, path, o)));
  withConnect(program.command('seed').description('create the tree in FILE (as `dump` writes it) in atomic batches; a bad file changes nothing')
    .argument('<file>', 'a tree file'))
    .option('--replace', 'replace subtrees that exist already (default: refuse)')
    .option('--yes', 'with --connect: yes, change that ensemble')
    .addHelpText('after', examples('zkpseudo seed fixtures.yaml', 'zkpseudo dump /app -o app.yaml && zkpseudo reset && zkpseudo seed app.yaml', 'zkpseudo seed app.yaml --replace --json', 'zkpseudo seed app.yaml --connect zk1:2181 --yes'))
    .action(action(async (c, file: string, o: { replace?: boolean; connect?: string | true; tls?: boolean; sasl?: boolean; yes?: boolean }) => (await import('./commands/tree.js')).seedCommand(c, file, o)));

  const cache = program.command('cache').description('the downloaded tarballs');
  cache.command('ls').description('list cached tarballs').action(action(async (c) => (await import('./commands/cache.js')).cacheLsCommand(c)));
  cache.command('clear').description('delete the cached tarballs and unpacked trees (only what zkpseudo made)').action(action(async (c) => (await import('./commands/cache.js')).cacheClearCommand(c)));

  program.command('completion').description('print a shell completion script')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', examples('source <(zkpseudo completion bash)', 'zkpseudo completion fish > ~/.config/fish/completions/zkpseudo.fish'))
    .action(async (shell: string) => {
      const { completionScript } = await import('./completion.js');
      process.stdout.write(completionScript(shell, buildProgram()));
    });
  return program;
}
