/**
 * Interrupting `up`: the servers it started are stopped, the data is kept, the process ends
 * non-zero (or by the signal, for a library caller), and the next `up` resumes cleanly.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

const repo = path.resolve(import.meta.dirname, '../..');

/** Runs a node program, sends `signal` once `marker` appears in its output, and resolves with how it ended. */
function runAndSignal(args: string[], env: NodeJS.ProcessEnv, marker: RegExp, signal: NodeJS.Signals) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, args, { env, cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!sent && marker.test(output)) {
        sent = true;
        child.kill(signal);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, sig) => resolve({ code, signal: sig, output }));
  });
}

describe('interrupting up', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('interrupt'); });
  afterAll(async () => { await sb?.cleanup(); });

  it('a library caller that gets SIGTERM mid-up: its servers are stopped, then it dies of the signal; data kept', async () => {
    const r = await runAndSignal([path.join(repo, 'test/fixtures/interrupted-up.mjs')], sb.env, /LAUNCHING/, 'SIGTERM');
    expect(r.output).not.toContain('UP\n');
    expect(r.signal).toBe('SIGTERM');
    expect(await serverPidsUnder(sb.root)).toEqual([]);
    const dir = path.join(sb.root, 'home', 'default');
    expect(existsSync(path.join(dir, 'ensemble.yaml'))).toBe(true);
    expect(existsSync(path.join(dir, 'zookeeper-1', 'data', 'myid'))).toBe(true);
  });

  it('Ctrl-C (SIGINT) during the CLI up exits 130, stops what it started, and the next up resumes', async () => {
    const r = await runAndSignal([path.join(repo, 'dist/cli/main.js'), 'up', '3', '--name', 'cli'], sb.env, /write config/, 'SIGINT');
    expect(r.code, r.output).toBe(130);
    expect(r.output).toMatch(/interrupted/);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
    const again = await sb.cli(['up', '--name', 'cli', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: false, health: { state: 'healthy' } });
  });
});
