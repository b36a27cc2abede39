/**
 * The version matrix: the end-to-end core against real builds of three releases, each served
 * from a loopback mirror in Apache's own layout (global-setup; 3.4.13 and 3.9.3 from Debian's
 * archive, see test/helpers/debian-builds.ts) and fetched with `--zk-version X --mirror URL`,
 * so download → checksum → unpack → the release's own zkServer.sh runs per version. One
 * ensemble per release (three voters, an observer, fault proxies, class-data sharing on), with
 * every check on it: status, kill leader / wait / start, check, isolate / heal, cli, logs kept
 * quiet, the CDS archive built, and down. The defects 3.4 showed are pinned here too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../src/tarball/resolve.js';
import { tarballName, versionFacts } from '../../src/zk/version-facts.js';
import { parseZkVersion } from '../../src/zk/versions.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';
import { releasesMirror } from '../helpers/releases.js';

const VERSIONS = ['3.4.13', '3.8.0', '3.9.3'] as const;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface StatusJson {
  zkVersion: string;
  servers: { id: number; role: string; peerType: string; pid: number | null; version: string | null; zkVersion: string }[];
  health: { state: string; leader?: number };
}

describe.each(VERSIONS)('ZooKeeper %s, a real build end to end', (version) => {
  const v = parseZkVersion(version)!;
  const facts = versionFacts(v);
  let sb: Sandbox;
  let mirror: string;
  const status = async (): Promise<StatusJson> => JSON.parse((await sb.cli(['status', '--json'])).stdout);

  beforeAll(async () => {
    mirror = releasesMirror([version], 'the version matrix');
    sb = await createSandbox(`v${version}`);
    // Class-data sharing on: its archive builder must work with every release's zoo.cfg shape.
    sb.env.ZKPSEUDO_CDS = '1';
  });
  afterAll(async () => { await sb?.cleanup(); });

  it(`downloads ${tarballName(v)} from the mirror, verifies it, and three voters and an observer serve`, async () => {
    const t0 = Date.now();
    const r = await sb.cli(['up', '3', '--observers', '1', '--faults', '--tick', '200ms', '--ports', 'auto', '--zk-version', version, '--mirror', mirror, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    console.log(`ZooKeeper ${version}: up 3 + observer (download, verify, unpack, start) to healthy in ${Date.now() - t0} ms`);
    expect(JSON.parse(r.stdout)).toMatchObject({ zkVersion: version, health: { state: 'healthy' } });
    const cached = path.join(cacheDir(sb.env), tarballName(v));
    expect(existsSync(cached) && existsSync(`${cached}.sha512`)).toBe(true);

    const s = await status();
    expect(s.servers.map((x) => x.role).sort()).toEqual(['follower', 'follower', 'leader', 'observer']);
    for (const x of s.servers) {
      expect(x.version).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}\\b`));
      expect(x.zkVersion).toBe(version);
    }
    const human = await sb.cli(['status']);
    expect(human.stdout).toMatch(/ID\s+ROLE\s+CLIENT\s+VERSION\s+PID/);
    expect(human.stdout).toMatch(new RegExp(`\\n1\\s+\\S+\\s+\\d+\\s+${version.replace(/\./g, '\\.')}\\s`));

    // The copy is the release's own layout, run by Apache's scripts.
    const copy = path.join(sb.env.ZKPSEUDO_HOME!, 'default', 'zookeeper-1');
    expect(existsSync(path.join(copy, facts.tarball.jarAtTop ? '' : 'lib', `zookeeper-${version}.jar`))).toBe(true);
    expect(readFileSync(path.join(copy, 'bin', 'zkEnv.sh'), 'utf8')).toMatch(/Licensed to the Apache Software Foundation/);
    expect(readFileSync(path.join(copy, 'conf', 'zoo.cfg'), 'utf8')).toMatch(facts.serverLineHasClient ? /^server\.1=.*;127\.0\.0\.1:\d+$/m : /^server\.1=127\.0\.0\.1:\d+:\d+$/m);
  });

  /**
   * A leader other than `old` with a quorum behind it. (`wait new-leader` replaces the leader it
   * sees when it starts, and with a 200 ms tick the election can be over before a CLI starts.)
   */
  const newLeader = (old: number) => until(`a leader other than ${old}`, async () => {
    const s = await status();
    return s.health.leader !== undefined && s.health.leader !== old && s.health.state !== 'no-quorum' ? s.health.leader : undefined;
  }, 30_000);

  it('kill leader, a new leader, start all --wait, wait healthy', async () => {
    const old = (await status()).health.leader!;
    const kill = await sb.cli(['kill', 'leader', '--json']);
    expect(kill.exitCode).toBe(0);
    expect(Object.keys(JSON.parse(kill.stdout).servers)).toEqual([String(old)]);
    await newLeader(old);
    expect((await sb.cli(['wait', 'leader', '--timeout', '30s'])).exitCode).toBe(0);
    expect((await sb.cli(['start', 'all', '--wait', '--timeout', '30s'])).exitCode).toBe(0);
    expect((await sb.cli(['wait', 'healthy', '--timeout', '30s'])).exitCode).toBe(0);
  });

  it('check proves it serves with a real client', async () => {
    const r = await sb.cli(['check']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  });

  it('isolate the leader through the fault proxies: a new leader; heal: healthy again', async () => {
    const old = (await status()).health.leader!;
    try {
      const iso = await sb.cli(['isolate', 'leader']);
      expect(iso.exitCode, iso.stderr).toBe(0);
      expect(iso.stdout).toMatch(new RegExp(`server ${old} is cut off`));
      await newLeader(old);
    } finally {
      expect((await sb.cli(['heal'])).exitCode).toBe(0);
    }
    expect((await sb.cli(['wait', 'healthy', '--timeout', '30s'])).exitCode).toBe(0);
  });

  if (facts.clientMaximumJava === undefined) {
    it('cli runs the release\'s own zkCli.sh against a server', async () => {
      const r = await sb.cli(['cli', '1', 'ls', '/'], { timeout: 60_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/zookeeper/);
    });
  } else {
    it('cli fails at once, naming the Java 3.4\'s client needs and how to point zkpseudo at one (no hang, no stack trace)', async () => {
      const t0 = Date.now();
      const r = await sb.cli(['cli', '1', 'ls', '/'], { timeout: 30_000 });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/cannot connect from Java 14 or later/);
      expect(r.stderr).toMatch(/ZKPSEUDO_CLIENT_JAVA_HOME/);
      expect(r.stderr).not.toMatch(/at org\.apache|Exception in thread/);
    });

    it('--admin-port and a four-letter-word whitelist are refused for 3.4 (exit 64), before anything is made', async () => {
      const admin = await sb.cli(['up', '1', '--name', 'admin34', '--zk-version', version, '--mirror', mirror, '--admin-port', 'auto']);
      expect(admin.exitCode).toBe(64);
      expect(admin.stderr).toMatch(/has no AdminServer/);
      const whitelist = await sb.cli(['up', '1', '--name', 'wl34', '--zk-version', version, '--mirror', mirror, '--config', '4lw.commands.whitelist=srvr,mntr']);
      expect(whitelist.exitCode).toBe(64);
      expect(whitelist.stderr).toMatch(/no four-letter-word whitelist/);
      // The release known only from the tarball: refused once the tarball says 3.4.
      const cached = path.join(cacheDir(sb.env), tarballName(v));
      const implicit = await sb.cli(['up', '1', '--name', 'dist34', '--dist', cached, '--admin-port', 'auto']);
      expect(implicit.exitCode).toBe(64);
      expect(implicit.stderr).toMatch(/would silently ignore/);
      const names = JSON.parse((await sb.cli(['ls', '--json'])).stdout).ensembles.map((e: { name: string }) => e.name);
      expect(names).toEqual(['default']);
    });
  }

  it('status polls leave the logs quiet: no per-connection or four-letter-word lines', async () => {
    for (let i = 0; i < 5; i++) await sb.cli(['status', '-q']);
    for (const id of [1, 2, 3, 4]) {
      const logs = path.join(sb.env.ZKPSEUDO_HOME!, 'default', `zookeeper-${id}`, 'logs');
      const text = (await Promise.all(readdirSync(logs).map((f) => readFile(path.join(logs, f), 'utf8')))).join('');
      expect(text).toMatch(/LEADING|FOLLOWING|OBSERVING/);
      expect(text).not.toMatch(/Processing (srvr|conf) command|Accepted socket connection|Closed socket connection/);
    }
  });

  it('the class-data-sharing archive is built for this release, and a restarted server maps it', async () => {
    const cds = path.join(cacheDir(sb.env), 'cds');
    await until('the CDS archive', async () => (existsSync(cds) && readdirSync(cds).some((f) => f.endsWith('.jsa')) ? true : undefined), 120_000);
    expect((await sb.cli(['restart', '1', '--wait', '--timeout', '30s'])).exitCode).toBe(0);
    const pid = (await status()).servers.find((s) => s.id === 1)!.pid!;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/-XX:SharedArchiveFile=/);
  });

  it('down stops every server and the fault proxy; nothing is left running', async () => {
    const r = await sb.cli(['down']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await serverPidsUnder(sb.root)).toEqual([]);
  });
});
