/**
 * A loopback HTTP server shaped like an Apache dist mirror
 * (`/zookeeper/zookeeper-X/apache-zookeeper-X-bin.tar.gz` and its `.sha512`), serving real bytes.
 */
import http from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface MirrorFile {
  /** URL path, starting with "/". */
  path: string;
  /** A file to stream, or literal content. */
  file?: string;
  body?: string | Buffer;
  /** Send this many bytes of `body`, then cut the connection (a download interrupted mid-way). */
  cutAfter?: number;
}

export interface Mirror {
  url: string;
  /** Every path requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startMirror(files: MirrorFile[]): Promise<Mirror> {
  const requests: string[] = [];
  const byPath = new Map(files.map((f) => [f.path, f]));
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const f = byPath.get(path);
    if (!f) {
      res.writeHead(404).end('not found');
      return;
    }
    if (f.cutAfter !== undefined && f.body) {
      const body = Buffer.from(f.body);
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, f.cutAfter), () => res.destroy());
      return;
    }
    if (f.file) {
      res.writeHead(200, { 'content-length': statSync(f.file).size, 'content-type': 'application/gzip' });
      createReadStream(f.file).pipe(res);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(f.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * A mirror of its own serving the run's packed ZooKeeper (see global-setup), for tests that
 * count what gets downloaded.
 */
export async function startDistMirror(layout: DistLayout = 'debian-packed'): Promise<Mirror> {
  const { inject } = await import('vitest');
  const { parseZkVersion } = await import('../../src/zk/versions.js');
  const { tarballName } = await import('../../src/zk/version-facts.js');
  const v = parseZkVersion(inject('zkVersion')!)!;
  const base = `/zookeeper/zookeeper-${v.text}/${tarballName(v)}`;
  if (layout === 'apache' && !inject('apacheTarball')) throw new Error(`the Apache-layout dist is missing: ${inject('noApacheDistReason')}`);
  const [file, sha] = layout === 'apache' ? [inject('apacheTarball')!, inject('apacheSha512')!] : [inject('distTarball')!, inject('distSha512')!];
  return startMirror([
    { path: base, file },
    { path: `${base}.sha512`, body: `${sha}  ${tarballName(v)}\n` },
  ]);
}

/** Which tarball a mirror serves: the system install packed by zkpseudo, or Apache's own layout. */
export type DistLayout = 'debian-packed' | 'apache';
