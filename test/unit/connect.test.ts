/**
 * `--connect`: connect strings, the `conf` reply, and asking any ensemble what its servers do —
 * against loopback stand-ins that answer srvr and conf as ZooKeeper 3.8.0 does (captured
 * replies), so every way of telling a server's id is exercised without a JVM.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConnectString, type ConnectString } from '../../src/zk/connect-string.js';
import { NOT_SERVING, parseConf } from '../../src/zk/state/fourlw.js';
import { conditionMet } from '../../src/zk/state/conditions.js';
import { probeRemote } from '../../src/ensemble/remote/probe.js';
import { untangleConnect } from '../../src/cli/commands/wait.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/fourlw/${name}`, import.meta.url), 'utf8');

describe('connect strings', () => {
  it('takes host[:port] lists, the default port, a chroot, and names what is wrong otherwise', () => {
    expect(parseConnectString('127.0.0.1:2181,ZK2,zk3.example.com:2183/app/x')).toEqual({
      servers: [
        { host: '127.0.0.1', port: 2181, address: '127.0.0.1:2181' },
        { host: 'zk2', port: 2181, address: 'zk2:2181' },
        { host: 'zk3.example.com', port: 2183, address: 'zk3.example.com:2183' },
      ],
      chroot: '/app/x',
      text: '127.0.0.1:2181,zk2:2181,zk3.example.com:2183/app/x',
    });
    expect(parseConnectString(' localhost:2181/ ')).toEqual({ servers: [{ host: 'localhost', port: 2181, address: 'localhost:2181' }], text: 'localhost:2181' });
    for (const [bad, words] of [
      ['', /empty/], ['a:2181,,b:2181', /empty entry/], ['a:0', /no port/], ['a:70000', /no port/], ['a:x', /no port/],
      ['[::1]:2181', /IPv6/], ['::1', /IPv6/], ['a b:2181', /not a host name/], ['a:2181,A:2181', /listed twice/],
      ['a:2181/app/', /chroot/], ['a:2181//x', /chroot/], ['a:2181/x/../y', /chroot/],
    ] as const) {
      expect(parseConnectString(bad), bad).toMatch(words);
    }
  });
});

describe('the conf reply', () => {
  it('gives the server id, its peer type and the membership with client addresses', () => {
    expect(parseConf(fixture('conf-3.8.0-leader.txt'))).toEqual({
      serverId: 3,
      peerType: 'participant',
      membership: [
        { id: 1, host: '127.0.0.1', observer: false, client: { host: '127.0.0.1', port: 54669 } },
        { id: 2, host: '127.0.0.1', observer: false, client: { host: '127.0.0.1', port: 54670 } },
        { id: 3, host: '127.0.0.1', observer: false, client: { host: '127.0.0.1', port: 54671 } },
      ],
    });
    expect(parseConf(`${NOT_SERVING}\n`)).toBeUndefined();
    expect(parseConf('conf is not executed because it is not in the whitelist.\n')).toBeUndefined();
  });
});

/** A stand-in server on a loopback port: answers each four-letter word from `replies`, closing as ZooKeeper does. */
interface Fake { port: number; close(): Promise<void> }
const fakes: Fake[] = [];
afterEach(async () => { await Promise.all(fakes.splice(0).map((f) => f.close())); });

async function fake(replies: (port: number) => Record<string, string>): Promise<Fake> {
  const server = net.createServer((socket) => {
    let word = '';
    socket.on('data', (d) => {
      word += d.toString();
      if (word.length >= 4) socket.end(replies(port)[word.slice(0, 4)] ?? `${word.slice(0, 4)} is not executed because it is not in the whitelist.\n`);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const f = { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  fakes.push(f);
  return f;
}

/** A port where nothing listens (bound, then released). */
async function closedPort(): Promise<number> {
  const f = await fake(() => ({}));
  fakes.splice(fakes.indexOf(f), 1);
  await f.close();
  return f.port;
}

const srvr = (mode: string, zxid = '0x100000002') => fixture('srvr-3.8.0-follower.txt').replace(/^Mode: .*$/m, `Mode: ${mode}`).replace(/^Zxid: .*$/m, `Zxid: ${zxid}`);
function conf(id: number, ports: number[], observers: number[] = []): string {
  const lines = ports.map((p, i) => `server.${i + 1}=127.0.0.1:${40000 + i}:${41000 + i}:${observers.includes(i + 1) ? 'observer' : 'participant'};127.0.0.1:${p}`);
  return `clientPort=${ports[id - 1]}\ndataDir=/x/version-2\nserverId=${id}\npeerType=${observers.includes(id) ? 1 : 0}\nmembership: \n${lines.join('\n')}\nversion=0`;
}
const cs = (ports: number[]): ConnectString => parseConnectString(ports.map((p) => `127.0.0.1:${p}`).join(',')) as ConnectString;

/** Three stand-ins for one ensemble, their conf naming all three ports (and any extra member ports given). */
async function ensemble(modes: string[], observers: number[] = [], extraMembers: number[] = []) {
  const ports: number[] = [];
  const servers = await Promise.all(modes.map((mode, i) => fake(() => (mode === 'looking'
    ? { srvr: `${NOT_SERVING}\n`, conf: `${NOT_SERVING}\n` }
    : { srvr: srvr(mode), conf: conf(i + 1, [...ports, ...extraMembers], observers) }))));
  ports.push(...servers.map((s) => s.port));
  return ports;
}

describe('asking any ensemble by its connect string', () => {
  it('ids come from each server\'s conf, whatever the order of the connect string; health as for a local ensemble', async () => {
    const ports = await ensemble(['follower', 'follower', 'leader']);
    const status = await probeRemote(cs([ports[2]!, ports[0]!, ports[1]!]));
    expect(status.servers.map((s) => [s.id, s.role, s.address])).toEqual([
      [1, 'follower', `127.0.0.1:${ports[0]}`], [2, 'follower', `127.0.0.1:${ports[1]}`], [3, 'leader', `127.0.0.1:${ports[2]}`],
    ]);
    expect(status.servers[0]).toMatchObject({ version: '3.8.0-${mvngit.commit.id}', zxid: '0x100000002', peerType: 'participant' });
    expect(status.servers[0]).not.toHaveProperty('pid');
    expect(status.health).toMatchObject({ state: 'healthy', leader: 3, tolerates: 1 });
  });

  it('a server that is electing gets its id from the membership line naming its address', async () => {
    const ports = await ensemble(['leader', 'looking', 'follower']);
    const status = await probeRemote(cs([ports[1]!, ports[0]!, ports[2]!]));
    expect(status.servers.find((s) => s.address === `127.0.0.1:${ports[1]}`)).toMatchObject({ id: 2, role: 'looking' });
    expect(status.health).toMatchObject({ state: 'degraded', unhealthy: [2] });
  });

  it('a server that does not answer is down, its id from its place in the connect string when nothing else tells', async () => {
    const dead = await closedPort();
    const status = await probeRemote(cs([dead]), 500);
    expect(status.servers).toEqual([expect.objectContaining({ id: 1, role: 'down', note: expect.stringMatching(/nothing listens there.*its place in --connect/) })]);
    expect(status.health.state).toBe('no-quorum');
    // `wait down 1` works without a pid.
    expect(conditionMet({ kind: 'down', id: 1 }, status)).toBe(true);
  });

  it('members the connect string leaves out count as voters that cannot be shown to serve', async () => {
    const unasked = await closedPort();
    const ports = await ensemble(['leader', 'follower'], [], [unasked]);
    const status = await probeRemote(cs(ports));
    expect(status.servers.find((s) => s.id === 3)).toMatchObject({ role: 'unknown', address: `127.0.0.1:${unasked}`, note: expect.stringMatching(/not in the connect string/) });
    expect(status.health).toMatchObject({ state: 'degraded', voters: 3, servingVoters: 2 });
  });

  it('an observer is an observer (conf says so), and does not count for the quorum', async () => {
    const ports = await ensemble(['leader', 'follower', 'follower', 'observer'], [4]);
    const status = await probeRemote(cs(ports));
    expect(status.servers[3]).toMatchObject({ id: 4, peerType: 'observer', role: 'observer' });
    expect(status.health).toMatchObject({ state: 'healthy', voters: 3 });
  });

  it('two addresses of one server are one server', async () => {
    const ports = await ensemble(['leader', 'follower', 'follower']);
    const twice = parseConnectString(`127.0.0.1:${ports[0]},localhost:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}`) as ConnectString;
    const status = await probeRemote(twice);
    expect(status.servers.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(status.servers[0]!.note).toBe(`also answers at localhost:${ports[0]}`);
    expect(status.health.state).toBe('healthy');
  });

  it('a server whose whitelist leaves out srvr is unknown, not down', async () => {
    const f = await fake(() => ({}));
    const status = await probeRemote(cs([f.port]));
    expect(status.servers[0]).toMatchObject({ role: 'unknown', note: expect.stringMatching(/^srvr is not in the 4lw whitelist/) });
  });
});

describe('wait --connect CONDITION', () => {
  it('takes back a condition commander gave to --connect, which then reads $ZK_CONNECT', () => {
    expect(untangleConnect([], 'healthy')).toEqual({ words: ['healthy'], connect: true });
    expect(untangleConnect(['2'], 'down')).toEqual({ words: ['down', '2'], connect: true });
    expect(untangleConnect(['healthy'], 'zk1:2181')).toEqual({ words: ['healthy'], connect: 'zk1:2181' });
    expect(untangleConnect(['healthy'], undefined)).toEqual({ words: ['healthy'], connect: undefined });
  });
});
