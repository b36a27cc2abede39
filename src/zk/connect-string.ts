/**
 * ZooKeeper connect strings, as clients take them: `host[:port],host[:port],…[/chroot]`, the
 * port 2181 when left out (pure). What `--connect` and $ZK_CONNECT hold.
 */

export const DEFAULT_CLIENT_PORT = 2181;

export interface ServerAddress {
  host: string;
  port: number;
  /** `host:port`, as given hosts are kept (case aside) and as a client dials it. */
  address: string;
}

export interface ConnectString {
  servers: ServerAddress[];
  /** The path every client session is rooted at (`/app`), if any; four-letter words ignore it. */
  chroot?: string;
  /** The servers and chroot, normalised: `h1:2181,h2:2181/app`. */
  text: string;
}

/** Host names as DNS has them, and IPv4 addresses. */
const HOST = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;
/** More addresses than this are a typo (ZooKeeper ids stop at 255). */
const MAX_SERVERS = 255;

/** Parses a connect string; returns a sentence saying what is wrong instead when it is not one. */
export function parseConnectString(input: string): ConnectString | string {
  const text = input.trim();
  if (!text) return 'it is empty';
  const slash = text.indexOf('/');
  const hosts = slash === -1 ? text : text.slice(0, slash);
  const chroot = slash === -1 ? undefined : text.slice(slash);
  if (chroot !== undefined && chroot !== '/' && (!/^(\/[^/\0]+)+$/.test(chroot) || /\/\.\.?(\/|$)/.test(chroot))) {
    return `the chroot "${chroot}" is not a ZooKeeper path like /app`;
  }
  const servers: ServerAddress[] = [];
  for (const part of hosts.split(',')) {
    const entry = part.trim();
    if (!entry) return 'it has an empty entry between commas';
    // An entry is read as host:port, split on ':': an IPv6 literal cannot be told from its port.
    if (entry.startsWith('[') || (entry.match(/:/g) ?? []).length > 1) return `"${entry}" is an IPv6 address, which zkpseudo cannot dial; use a host name for it`;
    const [host = '', portText] = entry.split(':');
    if (!HOST.test(host)) return `"${host}" is not a host name or IPv4 address`;
    const port = portText === undefined ? DEFAULT_CLIENT_PORT : /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) return `"${entry}" has no port from 1 to 65535`;
    const address = `${host.toLowerCase().replace(/\.$/, '')}:${port}`;
    if (servers.some((s) => s.address === address)) return `${address} is listed twice`;
    servers.push({ host: host.toLowerCase().replace(/\.$/, ''), port, address });
  }
  if (servers.length > MAX_SERVERS) return `it lists ${servers.length} servers, more than ZooKeeper's ${MAX_SERVERS}`;
  const root = chroot === '/' ? undefined : chroot;
  return { servers, chroot: root, text: `${servers.map((s) => s.address).join(',')}${root ?? ''}` };
}
