/** Port numbers of each server, derived purely from the server's index (SPEC §6). */

export interface ServerPorts {
  client: number;
  quorum: number;
  election: number;
  /** Only when the AdminServer was asked for. */
  admin?: number;
  /**
   * The TLS client port (secureClientPort), only on an ensemble with TLS beside a plain client
   * port. With `--tls-only` there is no plain port: `client` itself is the TLS port.
   */
  secureClient?: number;
}

/** The classic scheme: client 2181+i, quorum 2888+i, election 3888+i, admin 8080+i (i from 0). */
export function classicPorts(count: number, withAdmin = false): ServerPorts[] {
  return Array.from({ length: count }, (_, i) => ({
    client: 2181 + i,
    quorum: 2888 + i,
    election: 3888 + i,
    ...(withAdmin ? { admin: 8080 + i } : {}),
  }));
}

/**
 * A compact block from `base`: clients base…base+n-1, then quorum, election and admin ports in
 * runs of n after it. Used for --base-port and --ports auto, so a block is one contiguous range.
 */
export function blockPorts(base: number, count: number, withAdmin = false): ServerPorts[] {
  return Array.from({ length: count }, (_, i) => ({
    client: base + i,
    quorum: base + count + i,
    election: base + 2 * count + i,
    ...(withAdmin ? { admin: base + 3 * count + i } : {}),
  }));
}

/** How many consecutive ports a block of `count` servers spans. */
export function blockSpan(count: number, withAdmin = false): number {
  return (withAdmin ? 4 : 3) * count;
}

/** Every port number the servers listen on, in server order. */
export function allPorts(ports: ServerPorts[]): number[] {
  return ports.flatMap((p) => [p.client, p.quorum, p.election, ...(p.admin ? [p.admin] : []), ...(p.secureClient ? [p.secureClient] : [])]);
}

/** The classic secure client ports beside 2181+i: 2281+i (as ZooKeeper's documentation uses 2281). */
export const CLASSIC_SECURE_BASE = 2281;
