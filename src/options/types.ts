/** The ensemble spec as a user writes it and as zkpseudo resolves and records it. */
import type { ServerPorts } from '../zk/config/ports.js';

/**
 * Options as written: command-line flags, keys of an ensemble YAML file, or `up()` arguments.
 * Every field is optional; defaults are applied by `normalizeOptions`.
 */
export interface EnsembleOptions {
  /** Ensemble name, a directory under the home dir (default "default"). */
  name?: string;
  /** Where ensembles live (default $ZKPSEUDO_HOME or ~/.zkpseudo). */
  home?: string;
  /** ZooKeeper release, "X.Y.Z" (default: the pinned release, falling back to a system install). */
  zkVersion?: string;
  /** Voting servers (default 3). */
  servers?: number;
  /** Non-voting observers added after the voters (default 0). */
  observers?: number;
  /** "auto" for a free block, a base port number, or "classic" (2181/2888/3888, the default). */
  ports?: 'auto' | 'classic' | number;
  /** Turn the AdminServer on, each server on its own port: "auto" or a first port number (default off). */
  adminPort?: 'auto' | number;
  /** A tarball path, an unpacked directory, a URL, or "system". */
  dist?: string;
  /** An Apache-dist-shaped base URL to download from first (default $ZKPSEUDO_MIRROR). */
  mirror?: string;
  /** Java heap per server, like "128m" or "1g". */
  heap?: string;
  /** How long `up` waits for a healthy quorum: "60s", "2m", "500ms", or milliseconds as a number. */
  timeout?: string | number;
  /** Extra zoo.cfg keys, written after everything zkpseudo manages. */
  config?: Record<string, string | number | boolean>;
  /**
   * Route every server-to-server link and each server's client traffic through zkpseudo's
   * loopback proxies, so `isolate`, `partition`, `isolate-clients`, `delay` and `heal` work
   * (default false: plain ensembles are unchanged).
   */
  faults?: boolean;
  /** ZooKeeper's tickTime, like "200ms" or 200 (milliseconds; default 2000); initLimit/syncLimit stay in ticks, so they scale. */
  tick?: string | number;
  /** Never use the network: the cache or a system install only (default false; also ZKPSEUDO_OFFLINE=1). */
  offline?: boolean;
  /**
   * Client TLS on every server (a secure client port beside the plain one) and quorum TLS, with
   * a throwaway CA and a key pair per server made when the ensemble is created (default false).
   */
  tls?: boolean;
  /** TLS with the plain client port closed: clients must speak TLS (implies `tls`). */
  tlsOnly?: boolean;
  /** Whether servers ask clients for a certificate: "need" (default), "want" or "none". */
  tlsClientAuth?: TlsClientAuth;
  /**
   * SASL DIGEST-MD5 for clients, enforced (an unauthenticated session is closed), and quorum
   * SASL between servers, with generated users (default false).
   */
  sasl?: boolean;
  /** Wait for a healthy quorum (default true). */
  wait?: boolean;
  /**
   * The pid of the process whose life the servers share: when it exits, however it dies,
   * they are stopped (data kept). Default: no owner; the servers run until `down`.
   */
  owner?: number;
}

/** ZooKeeper's `ssl.clientAuth`: whether a server asks TLS clients for a certificate. */
export type TlsClientAuth = 'need' | 'want' | 'none';

/**
 * How an ensemble is secured, decided when it is created (its keys and users are made then).
 * Absent on a plain ensemble.
 */
export interface SecuritySpec {
  /** Client TLS and quorum TLS. `only`: the plain client port is closed (members' `client` is the TLS port). */
  tls?: { only: boolean; clientAuth: TlsClientAuth };
  /** SASL DIGEST-MD5 for clients (enforced) and between servers. */
  sasl?: boolean;
}

/** How a server takes part in the ensemble. */
export type PeerType = 'participant' | 'observer';

export interface Member {
  /** The server's myid, 1-based. */
  id: number;
  peerType: PeerType;
  ports: ServerPorts;
  /**
   * The release this server's copy runs, when not the ensemble's `zkVersion`: a server
   * `upgrade` has moved while others still run the old release (a mixed ensemble).
   */
  zkVersion?: string;
  /** Where that release's copy came from; set exactly when `zkVersion` is. */
  dist?: DistRecord;
}

/** Where the ZooKeeper bits came from; recorded so a later `up` reuses the same tarball. */
export interface DistRecord {
  /** "download", "system", "tarball", "directory" or "url". */
  source: 'download' | 'system' | 'tarball' | 'directory' | 'url';
  /** The URL or path it came from. */
  origin: string;
  /** The cached tarball every server is unpacked from. */
  tarball: string;
  sha512: string;
}

/** The resolved spec, written to `<home>/<name>/ensemble.yaml` and reloaded by every command. */
export interface EnsembleSpec {
  name: string;
  /** The ensemble's release: every member's, except one that names its own (see Member). */
  zkVersion: string;
  dist: DistRecord;
  /** Java heap per server in MiB. */
  heapMb: number;
  /** How the ports were chosen, so a resumed `auto` ensemble can re-pick a taken block. */
  portScheme: 'classic' | 'auto' | number;
  members: Member[];
  /** Extra zoo.cfg keys, already validated. */
  config: Record<string, string>;
  /** tickTime in ms when not ZooKeeper's default. */
  tickMs?: number;
  /** The fault proxies' ports, for an ensemble created with `faults`. */
  faults?: FaultPorts;
  /** TLS and SASL, for an ensemble created with `tls` or `sasl`. */
  security?: SecuritySpec;
  createdAt: string;
}

/**
 * Where the fault proxies listen. `links["i-j"]` carries server i's connections to server j
 * (its quorum and election ports); `clients["i"]` carries clients' connections to server i.
 */
export interface FaultPorts {
  links: Record<string, { quorum: number; election: number }>;
  clients: Record<string, number>;
  /** Proxies of the TLS client ports, on an ensemble with TLS beside the plain port (TLS passes through untouched). */
  secureClients?: Record<string, number>;
}
