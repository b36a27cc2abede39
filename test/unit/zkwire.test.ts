// zkpseudo's own ZooKeeper client, the pure parts: jute, the records it sends and reads, and
// SASL DIGEST-MD5 against RFC 2831's worked example; a chroot and a bounded close against a
// loopback stand-in. Against real servers: test/e2e/secure.test.ts.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { JuteError, JuteReader, JuteWriter } from '../../src/edge/zkwire/jute.js';
import { connectRequest, CreateFlags, EventType, multiRequest, OpCode, OPEN_ACL, readConnectResponse, readMultiResponse, writeAcl, type WatchedEvent } from '../../src/edge/zkwire/records.js';
import { connect } from '../../src/edge/zkwire/session.js';
import { answerChallenge, checkRspauth, parseDirectives } from '../../src/edge/zkwire/digest-md5.js';
import { describeTlsError, keeperError } from '../../src/edge/zkwire/errors.js';
import { MultiError, zkErrorName } from '../../src/edge/zkclient.js';
import { treeSession } from '../../src/ensemble/tree/wire-session.js';

describe('jute', () => {
  it('round-trips ints, longs, booleans, buffers, strings, nulls and vectors', () => {
    const w = new JuteWriter().int(-7).long(1n << 40n).bool(true).buffer(Buffer.from([1, 2])).string('zäh').string(null).buffer(null).vector(['a', 'b'], (ww, s) => ww.string(s));
    const r = new JuteReader(w.toBuffer());
    expect([r.int(), r.long(), r.bool(), r.buffer(), r.string(), r.string(), r.buffer(), r.vector((rr) => rr.string())]).toEqual([-7, 1n << 40n, true, Buffer.from([1, 2]), 'zäh', null, null, ['a', 'b']]);
    expect(r.remaining()).toBe(0);
  });

  it('a record cut short is an error, never a silent zero', () => {
    expect(() => new JuteReader(Buffer.from([0, 0, 0, 5, 1])).buffer()).toThrow(JuteError);
    expect(() => new JuteReader(Buffer.from([0, 0, 0x10, 0])).vector((r) => r.int())).toThrow(JuteError);
  });
});

describe('records', () => {
  it('ConnectRequest: version 0, last zxid, timeout, session 0, a 16-byte password, readOnly false', () => {
    const b = connectRequest({ lastZxidSeen: 0n, timeoutMs: 10_000, sessionId: 0n, password: Buffer.alloc(16) });
    expect(b.length).toBe(4 + 8 + 4 + 8 + 4 + 16 + 1);
    expect(b.readInt32BE(12)).toBe(10_000);
    const res = new JuteWriter().int(0).int(4000).long(0x1234n).buffer(Buffer.alloc(16, 7)).bool(false).toBuffer();
    expect(readConnectResponse(res)).toEqual({ timeoutMs: 4000, sessionId: 0x1234n, password: Buffer.alloc(16, 7) });
  });

  it('multi: a header per operation and a closing header; errors come back per operation', () => {
    const req = new JuteReader(multiRequest([{ op: 'create', path: '/a', data: Buffer.from('x') }, { op: 'delete', path: '/b' }]));
    expect([req.int(), req.bool(), req.int(), req.string(), req.buffer()?.toString()]).toEqual([1, false, -1, '/a', 'x']);
    const acl = req.vector((r) => [r.int(), r.string(), r.string()]);
    expect(acl).toEqual([[0x1f, 'world', 'anyone']]);
    expect([req.int(), req.int(), req.bool(), req.int(), req.string(), req.int(), req.int(), req.bool(), req.int()]).toEqual([0, 2, false, -1, '/b', -1, -1, true, -1]);
    const reply = new JuteWriter().int(-1).bool(false).int(-110).int(-110).int(-1).bool(false).int(-2).int(-2).int(-1).bool(true).int(-1).toBuffer();
    expect(readMultiResponse(new JuteReader(reply))).toEqual([{ op: 'error', err: -110 }, { op: 'error', err: -2 }]);
    const w = new JuteWriter();
    writeAcl(w, OPEN_ACL);
    expect(w.toBuffer().length).toBe(4 + 4 + 4 + 5 + 4 + 6);
  });

  it('multi: a container is sent as createContainer, a TTL node as createTTL with its TTL after the flags; create2 answers read', () => {
    const req = new JuteReader(multiRequest([
      { op: 'create', path: '/c', data: null, flags: CreateFlags.container },
      { op: 'create', path: '/t', data: Buffer.from('v'), acl: [{ perms: 1, scheme: 'digest', id: 'u:h' }], flags: CreateFlags.persistentWithTtl, ttlMs: 60_000 },
    ]));
    expect([req.int(), req.bool(), req.int(), req.string(), req.buffer()]).toEqual([OpCode.createContainer, false, -1, '/c', null]);
    expect(req.vector((r) => [r.int(), r.string(), r.string()])).toEqual([[0x1f, 'world', 'anyone']]);
    expect(req.int()).toBe(4);
    expect([req.int(), req.bool(), req.int(), req.string(), req.buffer()?.toString()]).toEqual([OpCode.createTTL, false, -1, '/t', 'v']);
    expect(req.vector((r) => [r.int(), r.string(), r.string()])).toEqual([[1, 'digest', 'u:h']]);
    expect([req.int(), req.long()]).toEqual([5, 60_000n]);
    expect([req.int(), req.bool(), req.int()]).toEqual([-1, true, -1]);
    const stat = (w: JuteWriter) => w.long(0n).long(0n).long(0n).long(0n).int(0).int(0).int(0).long(0n).int(0).int(0).long(0n);
    const reply = stat(new JuteWriter().int(OpCode.create2).bool(false).int(0).string('/c')).int(OpCode.create2).bool(false).int(0).string('/t');
    expect(readMultiResponse(new JuteReader(stat(reply).int(-1).bool(true).int(-1).toBuffer()))).toEqual([{ op: 'create', path: '/c' }, { op: 'create', path: '/t' }]);
  });

  it('errors are named: server codes, TLS failures of either side', () => {
    expect(keeperError(-124, 'getChildren /').message).toBe('getChildren /: SESSIONCLOSEDREQUIRESASLAUTH (-124)');
    expect(describeTlsError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), 'h:1').message).toBe("h:1: the server's certificate has expired (certificate has expired)");
    expect(describeTlsError(Object.assign(new Error('x'), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }), 'h:1').message).toBe("h:1: the server refused this client's certificate (TLS alert certificate required)");
    expect(describeTlsError(Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'h:1').message).toMatch(/not signed by the CA this client trusts/);
  });
});

describe('SASL DIGEST-MD5', () => {
  // RFC 2831, section 4: the IMAP example, password "secret".
  const challenge = Buffer.from('realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8');

  it('answers the RFC 2831 example with its published response and expects its rspauth', () => {
    const ex = answerChallenge(challenge, 'chris', 'secret', 'OA6MHXh6VqTrRk', 'imap/elwood.innosoft.com');
    const fields = parseDirectives(ex.response.toString());
    expect(fields).toMatchObject({ username: 'chris', realm: 'elwood.innosoft.com', nonce: 'OA6MG9tEQGm2hh', nc: '00000001', cnonce: 'OA6MHXh6VqTrRk', 'digest-uri': 'imap/elwood.innosoft.com', qop: 'auth' });
    expect(fields.response).toBe('d388dad90d4bbd760a152321f2143af7');
    expect(checkRspauth(Buffer.from('rspauth=ea40f60335c427b5527b84dbabcdfffd'), ex)).toBe(true);
    expect(checkRspauth(Buffer.from('rspauth=00000000000000000000000000000000'), ex)).toBe(false);
  });

  it('talks to ZooKeeper as zookeeper/zk-sasl-md5, and refuses a challenge without auth', () => {
    const ex = answerChallenge(Buffer.from('realm="zk-sasl-md5",nonce="n",qop="auth",charset=utf-8,algorithm=md5-sess'), 'app', 'pw', 'c');
    expect(parseDirectives(ex.response.toString())['digest-uri']).toBe('zookeeper/zk-sasl-md5');
    expect(() => answerChallenge(Buffer.from('nonce="n",qop="auth-conf"'), 'a', 'b', 'c')).toThrow(/only qop auth-conf/);
    expect(parseDirectives('a="x,\\"y",b=z')).toEqual({ a: 'x,"y', b: 'z' });
  });
});

describe('a session against a loopback stand-in', () => {
  /**
   * A loopback ZooKeeper stand-in: frames what it is sent, answers the ConnectRequest, and hands
   * every later request to `onRequest` with a way to send a framed reply.
   */
  async function loopback(onRequest: (frame: Buffer, send: (b: Buffer) => void) => void) {
    const server = net.createServer((socket) => {
      let inbox = Buffer.alloc(0);
      let connected = false;
      const send = (b: Buffer) => { const len = Buffer.alloc(4); len.writeInt32BE(b.length); socket.write(Buffer.concat([len, b])); };
      socket.on('data', (chunk: Buffer) => {
        inbox = Buffer.concat([inbox, chunk]);
        while (inbox.length >= 4 && inbox.length >= 4 + inbox.readInt32BE(0)) {
          const frame = inbox.subarray(4, 4 + inbox.readInt32BE(0));
          inbox = inbox.subarray(4 + frame.length);
          if (!connected) {
            connected = true;
            send(new JuteWriter().int(0).int(6000).long(0x42n).buffer(Buffer.alloc(16)).bool(false).toBuffer());
            continue;
          }
          onRequest(frame, send);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  /** Answers a ConnectRequest, then create/getData/delete/closeSession (unless `silentClose`), recording every path it is sent. */
  async function standIn(opts: { silentClose?: boolean } = {}) {
    const seen: string[] = [];
    const header = (xid: number) => new JuteWriter().int(xid).long(0n).int(0);
    const stat = (w: JuteWriter) => w.long(0n).long(0n).long(0n).long(0n).int(0).int(0).int(0).long(0n).int(1).int(0).long(0n);
    const server = await loopback((frame, send) => {
      const r = new JuteReader(frame);
      const xid = r.int();
      const type = r.int();
      if (type === OpCode.closeSession) { if (!opts.silentClose) send(header(xid).toBuffer()); return; }
      if (type === OpCode.ping) return;
      const path = r.string()!;
      seen.push(path);
      if (type === OpCode.create) send(header(xid).string(`${path}0000000001`).toBuffer());
      else if (type === OpCode.getData) {
        send(stat(header(xid).buffer(Buffer.from('d'))).toBuffer());
        // Later, as a change would be: the client registers the watch once the reply is read.
        setTimeout(() => send(new JuteWriter().int(-1).long(-1n).int(0).int(EventType.dataChanged).int(3).string(path).toBuffer()), 20);
      } else send(header(xid).toBuffer());
    });
    return { seen, ...server };
  }

  it('below a chroot: paths sent are taken below it, created names and watch events come back without it', async () => {
    const s = await standIn();
    try {
      const session = await connect({ port: s.port, chroot: '/app' });
      expect(await session.create('/x-', 'v', { flags: CreateFlags.persistentSequential })).toBe('/x-0000000001');
      const event = new Promise<WatchedEvent>((resolve) => { void session.getData('/x', resolve); });
      expect((await event).path).toBe('/x');
      await session.delete('/');
      await session.close();
      expect(s.seen).toEqual(['/app/x-', '/app/x', '/app']);
    } finally {
      await s.close();
    }
  });

  it('close waits at most waitMs for a server that never confirms', async () => {
    const s = await standIn({ silentClose: true });
    try {
      const session = await connect({ port: s.port });
      const start = Date.now();
      await session.close(200);
      expect(Date.now() - start).toBeLessThan(1500);
    } finally {
      await s.close();
    }
  });

  /** A stand-in that answers each request with `answer` (type, the request's reader after its header), recording type and path. */
  async function scripted(answer: (type: number, r: JuteReader, header: JuteWriter) => Buffer) {
    const seen: { type: number; path: string }[] = [];
    const server = await loopback((frame, send) => {
      const r = new JuteReader(frame);
      const xid = r.int();
      const type = r.int();
      if (type === OpCode.ping) return;
      const header = new JuteWriter().int(xid).long(0n);
      if (type === OpCode.closeSession) { send(header.int(0).toBuffer()); return; }
      seen.push({ type, path: type === OpCode.multi ? '' : new JuteReader(frame.subarray(8)).string()! });
      send(answer(type, r, header));
    });
    return { seen, ...server };
  }
  const stat = (w: JuteWriter, numChildren = 0) => w.long(0n).long(0n).long(0n).long(0n).int(0).int(0).int(0).long(0x100n).int(0).int(numChildren).long(0n);

  it('getChildren2 and setACL: sent as ZooKeeper reads them, answered with names and a stat', async () => {
    const got: unknown[] = [];
    const s = await scripted((type, r, header) => {
      if (type === OpCode.getChildren2) {
        got.push([r.string(), r.bool()]);
        return stat(header.int(0).vector(['b', 'a'], (w, n) => w.string(n)), 2).toBuffer();
      }
      if (type === OpCode.setACL) {
        got.push([r.string(), r.vector((rr) => [rr.int(), rr.string(), rr.string()]), r.int()]);
        return stat(header.int(0)).toBuffer();
      }
      return header.int(-6).toBuffer();
    });
    try {
      const session = await connect({ port: s.port, chroot: '/app' });
      const listed = await session.getChildren2('/x');
      expect(listed.names).toEqual(['a', 'b']);
      expect(listed.stat.numChildren).toBe(2);
      expect((await session.setAcl('/x', OPEN_ACL)).ephemeralOwner).toBe(0x100n);
      await session.close();
      expect(got).toEqual([['/app/x', false], ['/app/x', [[0x1f, 'world', 'anyone']], -1]]);
      expect(s.seen.map((x) => x.type)).toEqual([OpCode.getChildren2, OpCode.setACL]);
    } finally {
      await s.close();
    }
  });

  it("as the tree commands' session: errors named as node-zookeeper-client names them, a failed multi a MultiError at its operation", async () => {
    const s = await scripted((type, _r, header) => {
      if (type === OpCode.getData) return header.int(-101).toBuffer();
      if (type === OpCode.multi) {
        // The first create went through (then undone), the second found its node there.
        return header.int(0).int(-1).bool(false).int(0).int(0).int(-1).bool(false).int(-110).int(-110).int(-1).bool(true).int(-1).toBuffer();
      }
      if (type === OpCode.getChildren2) return stat(header.int(0).vector(['k'], (w, n) => w.string(n)), 1).toBuffer();
      return header.int(0).toBuffer();
    });
    try {
      const tree = treeSession(await connect({ port: s.port }));
      const err = await tree.read('/gone').catch((e: unknown) => e);
      expect(zkErrorName(err)).toBe('NO_NODE');
      const failed = await tree.multi([
        { op: 'create', path: '/a', data: null, acl: OPEN_ACL, kind: 'container' },
        { op: 'create', path: '/b', data: null, acl: OPEN_ACL, kind: 'ttl', ttlMs: 1000 },
      ]).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(MultiError);
      expect(failed).toMatchObject({ index: 1, code: 'NODE_EXISTS', path: '/b' });
      const listed = await tree.children('/');
      expect(listed.names).toEqual(['k']);
      expect(Buffer.from(listed.stat.ephemeralOwner as unknown as Uint8Array).readBigUInt64BE(0)).toBe(0x100n);
      expect(tree.connected()).toBe(true);
      const lost = new Promise<void>((resolve) => tree.onLost(resolve));
      tree.close();
      await lost;
      expect(tree.connected()).toBe(false);
    } finally {
      await s.close();
    }
  });
});
