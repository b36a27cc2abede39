/** The commands that hand an ensemble to the user's tools: env, logs, cli, status --watch. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up, type Ensemble } from '../../src/index.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');

describe('env, logs, cli, status --watch', () => {
  let sb: Sandbox;
  let zk: Ensemble;
  beforeAll(async () => {
    sb = await createSandbox('tools');
    zk = await up({ reuse: true, servers: 3, ports: 'auto', zkVersion: sb.zkVersion, mirror: sb.mirrorUrl, env: sb.env });
  });
  afterAll(async () => { await sb?.cleanup(); });

  it('env prints shell lines that eval into ZK_CONNECT and one variable per server', async () => {
    const r = await sb.cli(['env']);
    expect(r.exitCode).toBe(0);
    const shell = await execa('bash', ['-c', `eval "$1"; echo "$ZK_CONNECT|$ZK_SERVER_2"`, '_', r.stdout]);
    expect(shell.stdout).toBe(`${zk.connectString}|127.0.0.1:${zk.servers[1]!.clientPort}`);
    const json = JSON.parse((await sb.cli(['env', '--json'])).stdout);
    expect(json.ZK_CONNECT).toBe(zk.connectString);
  });

  it('logs shows the last lines of a server\'s own log', async () => {
    const r = await sb.cli(['logs', '2', '--lines', '400']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/\[myid:2\]/);
    expect(r.stdout.split('\n').length).toBeLessThanOrEqual(400);
    const leader = await sb.cli(['logs', 'leader', '--lines', '5']);
    expect(leader.stdout.split('\n')).toHaveLength(5);
  });

  it('cli runs the ensemble\'s own zkCli.sh against one server', async () => {
    const r = await sb.cli(['cli', '1', 'create', '/from-zkcli', 'hello']);
    expect(r.exitCode, r.stderr).toBe(0);
    const get = await sb.cli(['cli', '3', 'get', '/from-zkcli']);
    expect(get.stdout).toMatch(/^hello$/m);
  });

  it('status --watch redraws when a server changes, and stops on Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'status', '--watch', '--interval', '0.2'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 20_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`no ${re} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(/healthy: 3\/3/);
    await zk.kill(3);
    await waitFor(/3\s+down/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).not.toBeNull();
    expect(out.match(/ensemble default/g)!.length).toBeGreaterThanOrEqual(2);
  });
});
