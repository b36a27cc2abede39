/**
 * Hostile input and environment (issue 11): nothing deleted that is not ours, bounded waits,
 * OS errors named, values that survive zoo.cfg, bounded numbers, a strict library boundary,
 * closed pipes, crash leftovers in ZooKeeper's own files, and a Java probe that is not fooled
 * by the caller's JVM variables. Real servers throughout.
 */
import net from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { open, up, UsageError } from '../../src/index.js';
import { sendFourLetterWord } from '../../src/edge/fourlw.js';
import { connect, CreateMode } from '../../src/edge/zkclient.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

const repo = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(repo, 'dist/cli/main.js');

/** A proxy that accepts connections and never says a word; counts them. */
async function silentProxy(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { count++; sockets.add(s); s.on('error', () => undefined); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

const noBug = (stderr: string) => {
  expect(stderr).not.toMatch(/looks like a bug/);
  expect(stderr).not.toMatch(/^\s+at /m);
};

describe('hostile input and environment', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('hostile'); });
  afterAll(async () => { await sb?.cleanup(); });
  const home = () => path.join(sb.root, 'home');

  it('cache clear on a cache dir shared with other programs removes only what zkpseudo made', async () => {
    const shared = path.join(sb.root, 'dot-cache');
    const env = { ZKPSEUDO_CACHE: shared };
    expect((await sb.cli(['up', '1', '--ports', 'auto', '--name', 'cached'], { env })).exitCode).toBe(0);
    expect((await sb.cli(['down', '--purge', '--name', 'cached'], { env })).exitCode).toBe(0);
    // Other programs' things, some with names close to ours.
    await mkdir(path.join(shared, 'mozilla', 'firefox'), { recursive: true });
    await writeFile(path.join(shared, 'mozilla', 'firefox', 'cache2'), 'x');
    await writeFile(path.join(shared, 'notes.tar.gz'), 'mine');
    await writeFile(path.join(shared, 'system', 'README'), 'someone else\'s');
    await mkdir(path.join(shared, 'trees', 'not-a-digest'), { recursive: true });
    const before = (await readdir(path.join(shared, 'system'))).filter((f) => f.endsWith('.tar.gz'));
    expect(before.length).toBeGreaterThan(0);

    const r = await sb.cli(['cache', 'clear', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).removed).toBe(before.length);
    expect(existsSync(path.join(shared, 'mozilla', 'firefox', 'cache2'))).toBe(true);
    expect(existsSync(path.join(shared, 'notes.tar.gz'))).toBe(true);
    expect(existsSync(path.join(shared, 'system', 'README'))).toBe(true);
    expect(existsSync(path.join(shared, 'trees', 'not-a-digest'))).toBe(true);
    expect((await readdir(path.join(shared, 'system'))).filter((f) => f.endsWith('.tar.gz'))).toEqual([]);
    expect((await readdir(path.join(shared, 'trees')))).toEqual(['not-a-digest']);
  });

  it('a proxy that accepts and never answers: up falls back to the system install within seconds', async () => {
    const proxy = await silentProxy();
    try {
      const t0 = Date.now();
      const r = await sb.cli(['up', '1', '--ports', 'auto', '--name', 'proxied'], {
        env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, https_proxy: proxy.url, http_proxy: proxy.url, ZKPSEUDO_CACHE: path.join(sb.root, 'cache-proxied') },
      });
      const elapsed = Date.now() - t0;
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/using the system install/);
      expect(proxy.connections()).toBeGreaterThan(0);
      console.log(`fallback behind a silent proxy took ${elapsed} ms`);
      expect(elapsed).toBeLessThan(30_000);
    } finally {
      await proxy.close();
      await sb.cli(['down', '--purge', '--name', 'proxied']);
    }
  });

  it('SIGTERM while a download hangs ends the process at once with 143, nothing left running', async () => {
    const proxy = await silentProxy();
    try {
      const child = spawn(process.execPath, [CLI, 'up', '1', '--ports', 'auto', '--name', 'hang', '--zk-version', '3.9.4'], {
        env: { ...sb.env, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, ZKPSEUDO_CACHE: path.join(sb.root, 'cache-hang') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => { stderr += d; });
      while (proxy.connections() === 0) await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code, stderr).toBe(143);
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(stderr).toMatch(/interrupted/);
      noBug(stderr);
      expect(await serverPidsUnder(path.join(home(), 'hang'))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('--offline and ZKPSEUDO_OFFLINE=1 never touch the network', async () => {
    const proxy = await silentProxy();
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, ZKPSEUDO_CACHE: path.join(sb.root, 'cache-offline') };
    try {
      const asked = await sb.cli(['up', '1', '--ports', 'auto', '--name', 'off', '--offline', '--zk-version', '3.9.4'], { env });
      expect(asked.exitCode).toBe(2);
      expect(asked.stderr).toMatch(/not in the cache, and --offline/);
      const fallback = await sb.cli(['up', '1', '--ports', 'auto', '--name', 'off'], { env: { ...env, ZKPSEUDO_OFFLINE: '1' } });
      expect(fallback.exitCode, fallback.stderr).toBe(0);
      expect(fallback.stderr).toMatch(/Offline: ZooKeeper .* is not in the cache; using the system install/);
      expect(proxy.connections()).toBe(0);
    } finally {
      await proxy.close();
      await sb.cli(['down', '--purge', '--name', 'off']);
    }
  });

  it('OS errors are named with the path and a remedy; a link where zkpseudo writes a file is replaced, never written through', async () => {
    expect((await sb.cli(['up', '1', '--ports', 'auto', '--name', 'oserr'])).exitCode).toBe(0);
    expect((await sb.cli(['down', '--name', 'oserr'])).exitCode).toBe(0);
    const server = path.join(home(), 'oserr', 'zookeeper-1');
    // zoo.cfg as a link to /dev/full: writes are atomic (temp file, then rename), so the link is
    // replaced by a real file and nothing is written through it. (A really full disk is tested
    // on a tmpfs in test/unit/fs-boundary.test.ts and test/e2e/paths.test.ts.)
    await rm(path.join(server, 'conf', 'zoo.cfg'));
    await symlink('/dev/full', path.join(server, 'conf', 'zoo.cfg'));
    const replaced = await sb.cli(['up', '--name', 'oserr']);
    expect(replaced.exitCode, replaced.stderr).toBe(0);
    expect(lstatSync(path.join(server, 'conf', 'zoo.cfg')).isFile()).toBe(true);
    expect((await sb.cli(['down', '--name', 'oserr'])).exitCode).toBe(0);

    await rm(path.join(server, 'logs'), { recursive: true });
    await symlink('/dev/null', path.join(server, 'logs'));
    const logs = await sb.cli(['up', '--name', 'oserr']);
    expect(logs.exitCode).toBe(2);
    expect(logs.stderr).toMatch(/logs: .*(exists there already|file stands where a directory)/);
    expect(logs.stderr).toMatch(/hint: /);
    noBug(logs.stderr);
    expect(await serverPidsUnder(path.join(home(), 'oserr'))).toEqual([]);
    await rm(path.join(server, 'logs'));
    expect((await sb.cli(['up', '--name', 'oserr'])).exitCode).toBe(0);
    await sb.cli(['down', '--purge', '--name', 'oserr']);
  });

  it('a hand-edited ensemble.yaml with wrong types is reported key by key', async () => {
    expect((await sb.cli(['up', '1', '--ports', 'auto', '--name', 'edited'])).exitCode).toBe(0);
    const file = path.join(home(), 'edited', 'ensemble.yaml');
    const spec = JSON.parse((await readFile(file, 'utf8')).replace(/^#.*$/gm, ''));
    spec.zkVersion = 'banana';
    spec.members[0].ports.client = 'abc';
    await writeFile(file, JSON.stringify(spec));
    const r = await sb.cli(['status', '--name', 'edited']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/ensemble\.yaml is damaged: zkVersion: "banana" is not a ZooKeeper version.*members\[0\]\.ports\.client: "abc" is not a port number/);
    noBug(r.stderr);
    expect((await sb.cli(['down', '--purge', '--name', 'edited'])).exitCode).toBe(0);
  });

  it('a home dir with non-ASCII characters and spaces: the server reads its dataDir exactly as written', async () => {
    const odd = path.join(sb.root, 'józef', 'my zk');
    const zk = await up({ name: 'unicode', servers: 1, ports: 'auto', home: odd, env: sb.env });
    try {
      const conf = await sendFourLetterWord(zk.servers[0]!.clientPort, 'conf', 2000);
      expect(conf).toContain(`dataDir=${path.join(odd, 'unicode', 'zookeeper-1', 'data')}/version-2`);
      const cfg = await readFile(path.join(odd, 'unicode', 'zookeeper-1', 'conf', 'zoo.cfg'), 'utf8');
      expect(cfg).toContain('j\\u00f3zef');
      const client = await connect(zk.connectString);
      try { await client.create('/written', 'x', CreateMode.PERSISTENT); } finally { client.close(); }
      expect(existsSync(path.join(odd, 'unicode', 'zookeeper-1', 'data', 'version-2'))).toBe(true);
    } finally {
      await zk.down({ purge: true });
    }
    const colon = await sb.cli(['up', '1', '--home', path.join(sb.root, 'a:b')]);
    expect(colon.exitCode).toBe(64);
    expect(colon.stderr).toMatch(/contains ":", which splits the Java classpath/);
    expect(existsSync(path.join(sb.root, 'a:b'))).toBe(false);
  });

  it('numbers are checked and bounded', async () => {
    const cases: [string[], RegExp][] = [
      [['up', '1', '--timeout', '9999999m'], /timeout.*from 1ms to 24h/],
      [['status', '--watch', '--interval', 'abc'], /--interval "abc"/],
      [['status', '--watch', '--interval', '0'], /--interval "0"/],
      [['logs', '1', '--lines', 'abc'], /--lines "abc"/],
      [['up', '1', '--heap', '99999999g'], /heap.*32m to 64g/],
      [['up', '99999999999'], /servers "99999999999"/],
    ];
    for (const [args, message] of cases) {
      const r = await sb.cli(args, { timeout: 20_000 });
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(64);
      expect(r.stderr).toMatch(message);
      noBug(r.stderr);
    }
  });

  it('the library checks its caller as strictly as the CLI: typed UsageErrors naming each problem', async () => {
    const bad: [() => Promise<unknown>, RegExp][] = [
      [() => up({ name: 5 as unknown as string, env: sb.env }), /name: 5 must be text/],
      [() => up({ serverz: 5, env: sb.env } as never), /serverz: is not a known option \(did you mean "servers"\?\)/],
      [() => up({ servers: '3' as unknown as number, env: sb.env }), /servers: "3" is not a whole number/],
      [() => up(null as never), /must be an object/],
      [() => open('../x/y', { env: sb.env }), /not a valid ensemble name/],
    ];
    for (const [call, message] of bad) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(64);
      expect((err as Error).message).toMatch(message);
    }
    expect(await readdir(home()).catch(() => [])).not.toContain('default');
  });

  it('check | head -1: no crash on the closed pipe, its own exit code, and no znodes left behind', async () => {
    const zk = await up({ name: 'piped', servers: 3, ports: 'auto', env: sb.env });
    try {
      const r = await execa('bash', ['-c', `"${process.execPath}" "${CLI}" check --name piped | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`], { env: sb.env, reject: false });
      expect(r.stdout.split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/exit=0/);
      noBug(r.stderr);
      const client = await connect(zk.connectString);
      try {
        const children = await new Promise<string[]>((res, rej) => client.client.getChildren('/', (e, c) => (e ? rej(e) : res(c))));
        expect(children.filter((c) => c.startsWith('zkpseudo-check'))).toEqual([]);
      } finally { client.close(); }
    } finally {
      await zk.down({ purge: true });
    }
  });

  it('a transaction log a crash left unreadable is moved aside and the server starts; the user is told', async () => {
    expect((await sb.cli(['up', '1', '--ports', 'auto', '--name', 'crashed'])).exitCode).toBe(0);
    expect((await sb.cli(['down', '--name', 'crashed'])).exitCode).toBe(0);
    const data = path.join(home(), 'crashed', 'zookeeper-1', 'data');
    await writeFile(path.join(data, 'version-2', 'log.1'), Buffer.from('half a header, then the power went'));
    const r = await sb.cli(['up', '--name', 'crashed']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/server 1: data\/version-2\/log\.1 was unreadable .*moved it to data\/zkpseudo-quarantine\/log\.1\.\d+; started it again/);
    expect(existsSync(path.join(data, 'version-2', 'log.1'))).toBe(false);
    expect((await readdir(path.join(data, 'zkpseudo-quarantine'))).length).toBe(1);
    await sb.cli(['down', '--purge', '--name', 'crashed']);
  });

  it('the Java probe ignores the caller\'s _JAVA_OPTIONS, and a Java that does not run is named as such', async () => {
    const javaHome = path.join(sb.root, 'jdk-without-release');
    await mkdir(path.join(javaHome, 'bin'), { recursive: true });
    // No `release` file: the version must come from running `java -version`.
    const real = (await execa('bash', ['-c', 'readlink -f "$(command -v java)"'])).stdout.trim();
    await writeFile(path.join(javaHome, 'bin', 'java'), `#!/bin/sh\nexec "${real}" "$@"\n`);
    await chmod(path.join(javaHome, 'bin', 'java'), 0o755);
    const ok = await sb.cli(['up', '1', '--ports', 'auto', '--name', 'javaopts'], { env: { JAVA_HOME: javaHome, _JAVA_OPTIONS: '-XX:+ThisOptionDoesNotExist' } });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/check Java: Java \d+/);
    await sb.cli(['down', '--purge', '--name', 'javaopts']);

    await writeFile(path.join(javaHome, 'bin', 'java'), '#!/bin/sh\necho "Error: corrupt install" >&2\nexit 1\n');
    const broken = await sb.cli(['up', '1', '--ports', 'auto', '--name', 'javabroken'], { env: { JAVA_HOME: javaHome } });
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/Java was found at .*jdk-without-release\/bin\/java, but it does not run: .*corrupt install/);
    expect(broken.stderr).not.toMatch(/No Java runtime was found/);
  });
});
