/**
 * At home among ZooKeeper's own tools and Node's conventions (issue 12): zktop, kazoo and
 * zkCli.sh against a default ensemble; the README's failover walkthrough as written; `wait`
 * and `--wait`; JSON errors, NDJSON, colour rules, the version, help, completion, names from
 * the environment and ./zkpseudo.yaml, and `logs all -f` across log rotation.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { up, type Ensemble } from '../../src/index.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

const repo = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(repo, 'dist/cli/main.js');
const ANSI = /\u001b\[/;

async function tmuxCapture(session: string, command: string, settleMs: number, keys?: string): Promise<string> {
  await execa('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '40', command]);
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    if (keys !== undefined) {
      await execa('tmux', ['send-keys', '-t', session, keys, 'Enter']);
      await new Promise((r) => setTimeout(r, 1500));
    }
    return (await execa('tmux', ['capture-pane', '-p', '-t', session])).stdout;
  } finally {
    await execa('tmux', ['kill-session', '-t', session], { reject: false });
  }
}

describe('ZooKeeper\'s own tools against a default ensemble', () => {
  let sb: Sandbox;
  let zk: Ensemble;
  beforeAll(async () => {
    sb = await createSandbox('tools-own');
    zk = await up({ name: 'tools', servers: 3, env: sb.env });
  });
  afterAll(async () => { await zk?.down({ purge: true }).catch(() => undefined); await sb?.cleanup(); });

  it('zktop shows L for the leader and F for each follower (it polls `stat`)', async () => {
    const screen = await tmuxCapture(`zktop-${process.pid}`, `zktop --servers ${zk.connectString}`, 4000);
    const modes = [...screen.matchAll(/^\d+\s+127\.0\.0\.1\s+(\d+)\s+([LFSU])\s/gm)].map((m) => m[2]).sort();
    expect(modes, screen).toEqual(['F', 'F', 'L']);
  });

  it('kazoo (Debian\'s python3-kazoo) connects and its server_version() answers (it sends `envi`)', async () => {
    const script = `from kazoo.client import KazooClient\nzk = KazooClient(hosts='${zk.connectString}')\nzk.start(timeout=15)\nprint(zk.server_version())\nzk.stop()\n`;
    const r = await execa('/usr/bin/python3', ['-c', script], { reject: false, timeout: 30_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`(${sb.zkVersion.split('.').join(', ')})`);
  });

  it('the other four-letter words people inspect with answer: cons, dump, wchs', async () => {
    const { sendFourLetterWord } = await import('../../src/edge/fourlw.js');
    for (const word of ['cons', 'dump', 'wchs', 'stat', 'envi']) {
      const reply = await sendFourLetterWord(zk.servers[0]!.clientPort, word, 2000);
      expect(reply, word).not.toMatch(/not in the whitelist/);
      expect(reply.length, word).toBeGreaterThan(0);
    }
  });

  it('cli: everything after the id goes to zkCli.sh untouched; `all` and `--` use the whole connect string', async () => {
    const r = await sb.cli(['--name', 'tools', 'cli', '2', 'ls', '-R', '/']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\/zookeeper\/config$/m);
    const all = await sb.cli(['cli', '--name', 'tools', '--', 'ls', '/']);
    expect(all.exitCode, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/\[zookeeper\]/);
    const allId = await sb.cli(['--name', 'tools', 'cli', 'all', 'ls', '/']);
    expect(allId.exitCode, allId.stderr).toBe(0);
    expect(`${allId.stdout}${allId.stderr}`).toMatch(new RegExp(zk.connectString.split(',')[0]!.replace(/\./g, '\\.')));
  });

  it('cli in a terminal has JLine\'s prompt (the packed system dist ships jline)', async () => {
    const env = Object.entries({ ZKPSEUDO_HOME: sb.env.ZKPSEUDO_HOME!, ZKPSEUDO_CACHE: sb.env.ZKPSEUDO_CACHE! }).map(([k, v]) => `${k}='${v}'`).join(' ');
    const screen = await tmuxCapture(`zkcli-${process.pid}`, `env ${env} ${process.execPath} ${CLI} --name tools cli 1`, 5000, 'ls /zookeeper');
    expect(screen).toMatch(/\[zk: 127\.0\.0\.1:\d+\(CONNECTED\) \d+\]/);
    expect(screen).toMatch(/\[config, quota\]/);
  });

  it('`logs all -f` prefixes every line with its server and keeps following across log rotation', async () => {
    const child = spawn(process.execPath, [CLI, 'logs', 'all', '-f', '--lines', '1', '--name', 'tools'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    try {
      await new Promise((r) => setTimeout(r, 800));
      expect(out).toMatch(/^server 1 \| /m);
      expect(out).toMatch(/^server 3 \| /m);
      const logs = path.join(zk.dir, 'zookeeper-2', 'logs');
      const { latestLogFile } = await import('../../src/ensemble/observe/logs.js');
      const file = (await latestLogFile(logs))!;
      await appendFile(file, 'zkpseudo-test: before rotation\n');
      // Rotate as log4j does: the file is renamed and a new one started under the old name.
      await rename(file, `${file}.1`);
      await writeFile(file, 'zkpseudo-test: after rotation\n');
      await new Promise((r) => setTimeout(r, 1200));
      expect(out).toMatch(/^server 2 \| zkpseudo-test: before rotation$/m);
      expect(out).toMatch(/^server 2 \| zkpseudo-test: after rotation$/m);
    } finally {
      child.kill('SIGINT');
    }
  });
});

describe('the README\'s failover walkthrough, run as written', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('walkthrough'); });
  afterAll(async () => { await sb?.cleanup(); });

  /** The sandbox's env with a `zkpseudo` on PATH, as a reader of the README has one. */
  async function shellEnv(): Promise<NodeJS.ProcessEnv> {
    const bin = path.join(sb.root, 'bin');
    await execa('mkdir', ['-p', bin]);
    await writeFile(path.join(bin, 'zkpseudo'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    return { ...sb.env, PATH: `${bin}:${process.env.PATH}` };
  }

  // The survivors elect a new leader in ~0.6 s, often before `wait new-leader` first looks: it
  // must still know which leader is new (issue 20). Twenty runs in a row, every one passing.
  it('every command succeeds and every `echo $?` prints the exit code its comment promises, 20 times out of 20', async () => {
    const readme = await readFile(path.join(repo, 'README.md'), 'utf8');
    const block = /### Watch a failover\n\n```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    const lines = block.split('\n').filter(Boolean).map((line) => {
      const [command, comment = ''] = line.split(/\s+#\s+/, 2) as [string, string?];
      return { command: command!, comment };
    }).filter((l) => !/second terminal/.test(l.comment)); // interactive; it is tested in tools.test.ts
    expect(lines.length).toBeGreaterThan(5);
    const env = await shellEnv();
    for (let run = 1; run <= 20; run++) {
      for (const { command, comment } of lines) {
        const r = await execa('bash', ['-c', command], { env, reject: false, timeout: 90_000 });
        const what = `run ${run}: ${command}\n${r.stdout}\n${r.stderr}`;
        if (command.includes('echo $?')) {
          const promised = Number(/exit (\d+)/.exec(comment)![1]);
          expect(r.stdout.trim().split('\n').pop(), what).toBe(String(promised));
          const quoted = /"([^"]+)"/.exec(comment)?.[1];
          if (quoted) expect(r.stdout, what).toContain(quoted);
        } else {
          expect(r.exitCode, what).toBe(0);
        }
      }
    }
    await execa('bash', ['-c', 'zkpseudo down --purge'], { env, reject: false });
  }, 1_200_000);

  it('wait new-leader begun long after the election still knows the old leader: kill leader; sleep; wait new-leader', async () => {
    const env = await shellEnv();
    const sh = (command: string) => execa('bash', ['-c', command], { env, reject: false, timeout: 90_000 });
    expect((await sh('zkpseudo up 3 --ports auto --name late -q')).exitCode).toBe(0);
    const r = await sh('zkpseudo kill leader --name late -q && sleep 3 && zkpseudo wait new-leader --name late --timeout 5s --json');
    expect(r.exitCode, r.stderr).toBe(0);
    const waited = JSON.parse(r.stdout);
    const record = JSON.parse(await readFile(path.join(sb.root, 'home', 'late', 'removed-leader.json'), 'utf8'));
    expect(record).toMatchObject({ by: 'kill', leader: expect.any(Number), epoch: expect.any(Number) });
    expect(waited.condition).toBe(`a new leader (not ${record.leader})`);
    expect(waited.status.health.leader).not.toBe(record.leader);
    // down forgets it: after a full restart no leader was "removed".
    expect((await sh('zkpseudo down --name late -q')).exitCode).toBe(0);
    expect(existsSync(path.join(sb.root, 'home', 'late', 'removed-leader.json'))).toBe(false);
    await sh('zkpseudo down --purge --name late -q');
  });

  it('the library: kill then waitFor(new-leader), however late; kill({ wait }); timeouts in milliseconds; logs()', async () => {
    const zk = await up({ servers: 3, env: sb.env });
    try {
      const before = (await zk.status()).health.leader;
      await zk.kill('leader');
      await new Promise((r) => setTimeout(r, 3000)); // the election is over before the wait begins
      const after = await zk.waitFor('new-leader', { timeout: 5000 });
      expect(after.health.leader).toBeDefined();
      expect(after.health.leader).not.toBe(before);
      // A bare number is milliseconds: 1500 waits 1.5 s, not 25 minutes.
      const t0 = Date.now();
      const err = await zk.waitFor('healthy', { timeout: 1500 }).then(() => undefined, (e: Error) => e);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(err?.name).toBe('WaitTimeoutError');
      expect(err?.message).toMatch(/Waited 1\.5 s for healthy/);
      const unitless = await zk.waitFor('healthy', { timeout: '90' as never }).then(() => undefined, (e: Error) => e);
      expect(unitless?.message).toMatch(/timeout: "90" has no unit/);
      const s = await zk.start('all', { wait: true, timeout: '30s' });
      expect(Object.values(s)).toContain('started');
      expect((await zk.status()).health.state).toBe('healthy');
      // kill({ wait }) returns once the survivors have a new leader.
      const leader = (await zk.status()).health.leader!;
      expect(await zk.kill('leader', { wait: true, timeout: '30s' })).toEqual([leader]);
      const now = await zk.status();
      expect(now.health.state).toBe('degraded');
      expect(now.health.leader).not.toBe(leader);
      expect(await zk.logs(leader, { lines: 5 })).toMatch(/^(.*\n){4}.*$/);
      await zk.start('all', { wait: true });
    } finally {
      await zk.down();
    }
    expect(existsSync(zk.dir)).toBe(false);
  });

  it('kill leader --wait returns with a new leader and the survivors serving; wait down ID; start --wait', async () => {
    expect((await sb.cli(['up', '3', '--ports', 'auto', '--name', 'w'])).exitCode).toBe(0);
    const killed = await sb.cli(['kill', 'leader', '--wait', '--name', 'w', '--json']);
    expect(killed.exitCode, killed.stderr).toBe(0);
    const k = JSON.parse(killed.stdout);
    const id = Number(Object.keys(k.servers)[0]);
    expect(k.status.health.state).toBe('degraded');
    expect(k.status.health.leader).not.toBe(id);
    expect((await sb.cli(['wait', 'down', String(id), '--name', 'w', '--timeout', '5s'])).exitCode).toBe(0);
    const timedOut = await sb.cli(['wait', 'healthy', '--name', 'w', '--timeout', '500ms']);
    expect(timedOut.exitCode).toBe(2);
    expect(timedOut.stderr).toMatch(/Waited 0\.5 s for healthy/);
    const started = await sb.cli(['start', String(id), '--wait', '--name', 'w', '--json']);
    expect(started.exitCode, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout).status.servers.find((s: { id: number }) => s.id === id).role).toMatch(/leader|follower/);
    const bad = await sb.cli(['wait', 'sunny', '--name', 'w']);
    expect(bad.exitCode).toBe(64);
    expect(bad.stderr).toMatch(/"sunny" is not a condition/);
    await sb.cli(['down', '--purge', '--name', 'w']);
  });
});

describe('Node and CLI conventions', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox('conventions');
    expect((await sb.cli(['up', '1', '--ports', 'auto', '--name', 'conv'])).exitCode).toBe(0);
  });
  afterAll(async () => { await sb?.cleanup(); });

  it('--json errors are a JSON object on stdout as well as the text on stderr', async () => {
    const r = await sb.cli(['status', '--name', 'nosuch', '--json']);
    expect(r.exitCode).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({ error: { message: expect.stringMatching(/no ensemble named "nosuch"/), hint: expect.any(String), exitCode: 3 } });
    expect(r.stderr).toMatch(/^error: /m);
    const usage = await sb.cli(['up', '1', '--heap', 'lots', '--json']);
    expect(JSON.parse(usage.stdout).error.exitCode).toBe(64);
  });

  it('status --watch --json prints one JSON document per line', async () => {
    const child = spawn(process.execPath, [CLI, 'status', '--watch', '--json', '--interval', '200ms', '--name', 'conv'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
    const docs = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(docs.length).toBeGreaterThanOrEqual(3);
    for (const d of docs) expect(d.health.state).toBe('healthy');
  });

  it('notices are part of --json output; logs and cli refuse --json', async () => {
    expect((await sb.cli(['down', '--name', 'conv'])).exitCode).toBe(0);
    const pidFile = path.join(sb.root, 'home', 'conv', 'zookeeper-1', 'data', 'zookeeper_server.pid');
    await writeFile(pidFile, '999999');
    const r = await sb.cli(['up', '--name', 'conv', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).notices).toEqual([expect.stringMatching(/stale pid file/)]);
    for (const args of [['logs', '1'], ['cli', '1']]) {
      const x = await sb.cli(['--name', 'conv', '--json', ...args]);
      expect(x.exitCode).toBe(64);
      expect(x.stderr).toMatch(/no --json output/);
    }
  });

  it('colour: none through a pipe, with CI set, FORCE_COLOR=0, NO_COLOR or --no-color; FORCE_COLOR=1 forces it', async () => {
    const plain = [{ CI: 'true' }, { FORCE_COLOR: '0' }, { NO_COLOR: '1' }, {}];
    for (const env of plain) {
      const r = await sb.cli(['status', '--name', 'conv'], { env: { NO_COLOR: '', FORCE_COLOR: '', CI: '', ...env } });
      expect(r.stdout, JSON.stringify(env)).not.toMatch(ANSI);
    }
    expect((await sb.cli(['status', '--name', 'conv', '--no-color'], { env: { FORCE_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    expect((await sb.cli(['status', '--name', 'conv'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } })).stdout).toMatch(ANSI);
  });

  it('-v prints the version from package.json; every --help shows the global options, defaults and examples', async () => {
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8'));
    expect((await sb.cli(['-v'])).stdout.trim()).toBe(pkg.version);
    const upHelp = (await sb.cli(['up', '--help'])).stdout;
    expect(upHelp).toMatch(/--heap <size>[^-]*default 128m/);
    expect(upHelp).toMatch(/--timeout <duration>[^-]*default\s+60s/);
    expect(upHelp).toMatch(/3\.9\.5/);
    expect(upHelp).toMatch(/Global Options:[\s\S]*--home <dir>/);
    expect(upHelp).toMatch(/Examples:\n\s+\$ zkpseudo up 3/);
    for (const cmd of ['status', 'down', 'kill', 'wait', 'logs', 'cli', 'env']) {
      const h = await sb.cli([cmd, '--help']);
      expect(h.exitCode).toBe(0);
      expect(h.stdout, cmd).toMatch(/Global Options:/);
      expect(h.stdout, cmd).toMatch(/Examples:/);
    }
  });

  it('shell completion for bash completes commands and options; zsh and fish scripts are printed', async () => {
    const script = path.join(sb.root, 'completion.bash');
    await writeFile(script, (await sb.cli(['completion', 'bash'])).stdout);
    const complete = async (...words: string[]) => (await execa('bash', ['-c', `source ${script}; COMP_WORDS=(zkpseudo ${words.join(' ')}); COMP_CWORD=${words.length}; _zkpseudo; echo "\${COMPREPLY[@]}"`])).stdout.split(' ');
    expect(await complete('st')).toEqual(expect.arrayContaining(['status', 'stop', 'start']));
    expect(await complete('up', '--he')).toEqual(['--heap', '--help']);
    expect(await complete('--name', 'x', 'wa')).toEqual(['wait']);
    expect((await sb.cli(['completion', 'zsh'])).stdout).toMatch(/bashcompinit/);
    expect((await sb.cli(['completion', 'fish'])).stdout).toMatch(/complete -c zkpseudo -n __fish_use_subcommand -a up/);
    expect((await sb.cli(['completion', 'tcsh'])).exitCode).toBe(64);
  });

  it('ZKPSEUDO_NAME sets the default name; ./zkpseudo.yaml is read like compose.yaml, flags override it', async () => {
    expect((await sb.cli(['status'], { env: { ZKPSEUDO_NAME: 'conv' } })).exitCode).toBe(0);
    const project = await mkdtemp(path.join(sb.root, 'project-'));
    await writeFile(path.join(project, 'zkpseudo.yaml'), 'name: fromfile\nservers: 1\nports: auto\n');
    const run = (args: string[]) => execa(process.execPath, [CLI, ...args], { cwd: project, env: sb.env, reject: false });
    const u = await run(['up', '--json']);
    expect(u.exitCode, u.stderr).toBe(0);
    expect(JSON.parse(u.stdout)).toMatchObject({ name: 'fromfile' });
    expect(JSON.parse(u.stdout).servers).toHaveLength(1);
    expect((await run(['status'])).exitCode).toBe(0);
    const over = await run(['up', '--name', 'flagged', '--json']);
    expect(JSON.parse(over.stdout).name).toBe('flagged');
    expect((await run(['down', '--purge'])).exitCode).toBe(0);
    expect((await run(['down', '--purge', '--name', 'flagged'])).exitCode).toBe(0);
    expect(existsSync(path.join(sb.root, 'home', 'fromfile'))).toBe(false);
  });

  it('logs -f into a pipe whose reader left ends at its next line, exit 0, no stack trace', async () => {
    const { latestLogFile } = await import('../../src/ensemble/observe/logs.js');
    const file = (await latestLogFile(path.join(sb.root, 'home', 'conv', 'zookeeper-1', 'logs')))!;
    const run = execa('bash', ['-c', `"${process.execPath}" "${CLI}" logs all -f --lines 1 --name conv | head -1 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`], { env: sb.env, reject: false, timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await appendFile(file, 'zkpseudo-test: one\n');
    await new Promise((r) => setTimeout(r, 600));
    await appendFile(file, 'zkpseudo-test: two\n');
    const r = await run;
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toMatch(/exit=0/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
