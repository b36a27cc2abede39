/**
 * `cli`'s arguments (issue "Trust by construction", item 11): without an id, every argument
 * goes to zkCli.sh on the whole connect string; zkpseudo's own global options are taken
 * wherever they stand unless after `--`.
 */
import { describe, expect, it } from 'vitest';
import { ownWords, passThroughCli } from '../../src/cli/argv.js';
import { buildProgram } from '../../src/cli/program.js';

const argv = (...words: string[]) => ['node', 'zkpseudo', ...words];

describe('passThroughCli', () => {
  it('a first argument that is not a server id starts zkCli.sh\'s arguments (whole connect string)', () => {
    expect(passThroughCli(argv('cli', 'get', '/x'))).toEqual(argv('cli', 'all', '--', 'get', '/x'));
    expect(passThroughCli(argv('cli', 'ls', '-R', '/'))).toEqual(argv('cli', 'all', '--', 'ls', '-R', '/'));
    expect(passThroughCli(argv('cli', 'create', '-e', '/x', 'data'))).toEqual(argv('cli', 'all', '--', 'create', '-e', '/x', 'data'));
  });

  it('a server number, leader or all is the server', () => {
    expect(passThroughCli(argv('cli', '2', 'ls', '-R', '/'))).toEqual(argv('cli', '2', '--', 'ls', '-R', '/'));
    expect(passThroughCli(argv('cli', 'leader', 'get', '/x'))).toEqual(argv('cli', 'leader', '--', 'get', '/x'));
    expect(passThroughCli(argv('cli', 'all', 'get', '/x'))).toEqual(argv('cli', 'all', '--', 'get', '/x'));
    expect(passThroughCli(argv('cli', '3'))).toEqual(argv('cli', '3', '--'));
  });

  it('global options are zkpseudo\'s wherever they stand: before cli, between, after the arguments', () => {
    expect(passThroughCli(argv('--name', 'x', 'cli', '1', 'get', '/a'))).toEqual(argv('--name', 'x', 'cli', '1', '--', 'get', '/a'));
    expect(passThroughCli(argv('cli', 'get', '/x', '--name', 'ci'))).toEqual(argv('--name', 'ci', 'cli', 'all', '--', 'get', '/x'));
    expect(passThroughCli(argv('cli', '--name', 'ci', 'get', '/x'))).toEqual(argv('--name', 'ci', 'cli', 'all', '--', 'get', '/x'));
    expect(passThroughCli(argv('cli', '2', 'ls', '/', '--home', '/h', '--debug', '--no-color', '--quiet')))
      .toEqual(argv('--home', '/h', '--debug', '--no-color', '--quiet', 'cli', '2', '--', 'ls', '/'));
    expect(passThroughCli(argv('cli', 'get', '/x', '--name=ci', '--home=/h'))).toEqual(argv('--name=ci', '--home=/h', 'cli', 'all', '--', 'get', '/x'));
    expect(passThroughCli(argv('cli', 'get', '/x', '--json'))).toEqual(argv('--json', 'cli', 'all', '--', 'get', '/x'));
  });

  it('after --, everything is zkCli.sh\'s, global-looking options included', () => {
    expect(passThroughCli(argv('cli', '--', 'ls', '/'))).toEqual(argv('cli', 'all', '--', 'ls', '/'));
    expect(passThroughCli(argv('cli', '--', 'get', '/x', '--name', 'y'))).toEqual(argv('cli', 'all', '--', 'get', '/x', '--name', 'y'));
    expect(passThroughCli(argv('cli', '2', '--', 'get', '--json'))).toEqual(argv('cli', '2', '--', 'get', '--json'));
    expect(passThroughCli(argv('cli', '--name', 'ci', '--', 'get', '/x', '--debug'))).toEqual(argv('--name', 'ci', 'cli', 'all', '--', 'get', '/x', '--debug'));
  });

  it('zkCli.sh\'s own short options stay its own (setquota -n is not --name)', () => {
    expect(passThroughCli(argv('cli', 'setquota', '-n', '10', '/app'))).toEqual(argv('cli', 'all', '--', 'setquota', '-n', '10', '/app'));
    expect(passThroughCli(argv('cli', 'get', '-s', '-w', '/x'))).toEqual(argv('cli', 'all', '--', 'get', '-s', '-w', '/x'));
  });

  it('leaves everything else alone: no arguments, --help, other commands', () => {
    expect(passThroughCli(argv('cli'))).toEqual(argv('cli'));
    expect(passThroughCli(argv('--name', 'x', 'cli'))).toEqual(argv('--name', 'x', 'cli'));
    expect(passThroughCli(argv('cli', '--help'))).toEqual(argv('cli', '--help'));
    expect(passThroughCli(argv('status', '--json'))).toEqual(argv('status', '--json'));
    expect(passThroughCli(argv('logs', '2', 'cli'))).toEqual(argv('logs', '2', 'cli'));
  });

  it('ownWords: what zkpseudo reads itself ends at --', () => {
    expect(ownWords(argv('--json', 'cli', 'all', '--', 'get', '--debug'))).toEqual(argv('--json', 'cli', 'all'));
    expect(ownWords(argv('status', '--json'))).toEqual(argv('status', '--json'));
  });
});

describe('the rewritten command line, as commander parses it', () => {
  /** What `cli`'s action would get: [id, args, global options]. */
  async function parse(...words: string[]): Promise<{ id: string | undefined; args: string[]; globals: Record<string, unknown> }> {
    const program = buildProgram();
    const cli = program.commands.find((c) => c.name() === 'cli')!;
    let got: { id: string | undefined; args: string[]; globals: Record<string, unknown> } | undefined;
    cli.action((id: string | undefined, args: string[]) => { got = { id, args, globals: cli.optsWithGlobals() }; });
    await program.parseAsync(passThroughCli(argv(...words)));
    return got!;
  }

  it('cli get /x --name ci: runs "get /x" on the whole connect string of ensemble ci', async () => {
    expect(await parse('cli', 'get', '/x', '--name', 'ci')).toMatchObject({ id: 'all', args: ['get', '/x'], globals: { name: 'ci' } });
  });

  it('cli 2 ls -R / --home /h: server 2, home /h, zkCli.sh gets ls -R /', async () => {
    expect(await parse('cli', '2', 'ls', '-R', '/', '--home', '/h')).toMatchObject({ id: '2', args: ['ls', '-R', '/'], globals: { home: '/h' } });
  });

  it('cli -- get /x --name y: zkCli.sh gets every word after --', async () => {
    const r = await parse('cli', '--', 'get', '/x', '--name', 'y');
    expect(r).toMatchObject({ id: 'all', args: ['get', '/x', '--name', 'y'] });
    expect(r.globals.name).toBeUndefined();
  });
});
