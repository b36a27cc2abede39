/**
 * The official `zookeeper` image's contract, as its documentation and entrypoint define it
 * (pure). At a container's first start the entrypoint writes zoo.cfg from the environment —
 * dataDir and dataLogDir, then ZOO_TICK_TIME, ZOO_INIT_LIMIT, ZOO_SYNC_LIMIT, the autopurge
 * pair, ZOO_MAX_CLIENT_CNXNS, ZOO_STANDALONE_ENABLED, ZOO_ADMINSERVER_ENABLED (each with a
 * default of its own), then each blank-separated word of ZOO_SERVERS as a line, the
 * ZOO_4LW_COMMANDS_WHITELIST line if set, and each blank-separated word of ZOO_CFG_EXTRA as a
 * line — and myid from ZOO_MY_ID. Values are written as given, with no escaping of their own.
 */
import { escapePropertyValue } from '../zk/config/properties.js';
import type { ExportModel, ExportServer } from './model.js';

export const IMAGE = 'zookeeper';

/** The ports every server listens on in its own container (the image's EXPOSE; 3.5+ server lines). */
export const PORTS = { client: 2181, quorum: 2888, election: 3888, admin: 8080, secureClient: 2281 } as const;

/** Where the image keeps snapshots and transaction logs (ZOO_DATA_DIR, ZOO_DATA_LOG_DIR), and its own user's ids. */
export const DATA_DIR = '/data';
export const DATA_LOG_DIR = '/datalog';
export const IMAGE_UID = 1000;

/**
 * zoo.cfg keys the entrypoint always writes from a variable of its own: such a key must be set
 * through that variable (in ZOO_CFG_EXTRA it would be written a second time).
 */
export const IMAGE_VARIABLES: Readonly<Record<string, string>> = {
  tickTime: 'ZOO_TICK_TIME',
  initLimit: 'ZOO_INIT_LIMIT',
  syncLimit: 'ZOO_SYNC_LIMIT',
  maxClientCnxns: 'ZOO_MAX_CLIENT_CNXNS',
  'autopurge.snapRetainCount': 'ZOO_AUTOPURGE_SNAPRETAINCOUNT',
  'autopurge.purgeInterval': 'ZOO_AUTOPURGE_PURGEINTERVAL',
  '4lw.commands.whitelist': 'ZOO_4LW_COMMANDS_WHITELIST',
};

/**
 * `server.N=host:2888:3888[:observer];2181`, the 3.5+ form the image's ZOO_SERVERS takes;
 * without `;2181` where TLS only closes the plain client port (the image writes no clientPort
 * of its own, so the server then has none).
 */
export function serverLine(server: ExportServer, host: string, plainClient = true): string {
  return `server.${server.id}=${host}:${PORTS.quorum}:${PORTS.election}${server.peerType === 'observer' ? ':observer' : ''}${plainClient ? `;${PORTS.client}` : ''}`;
}

const unicodeEscape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * One `key=value` word of ZOO_CFG_EXTRA. The entrypoint splits the variable on blanks and
 * lets the shell expand glob characters in each word, then writes each word as a zoo.cfg line,
 * which java.util.Properties reads. So the value is escaped for Properties (as zkpseudo's own
 * zoo.cfg is), and blanks and glob characters are written as \uXXXX escapes: no split or glob
 * touches those, and Properties turns each back into its character.
 */
export function cfgExtraWord(key: string, value: string): string {
  // Character by character: escaping the whole value first would turn a leading blank into
  // `\ `, whose blank the split would then still see.
  const spelled = [...value].map((ch) => (/[\s*?[\]]/.test(ch) ? unicodeEscape(ch) : escapePropertyValue(ch))).join('');
  return `${key}=${spelled}`;
}

/**
 * A string as an engine must spell it to mean it literally: Compose interpolates `$VAR` and
 * `${VAR}` in the file, Kubernetes expands `$(VAR)` in env values, command and args; both
 * read `$$` as one `$`.
 */
export function literal(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

/** Whether the whitelist (`*`, or words split by commas or blanks) lets `word` through. */
export function allowsWord(whitelist: string, word: string): boolean {
  return whitelist.trim() === '*' || whitelist.split(/[\s,]+/).includes(word);
}

/**
 * Succeeds while the server serves: `srvr` answers with a Mode line only then (a server that
 * is electing says it is "not currently serving"). `srvr` is always whitelisted: zkpseudo
 * refuses a whitelist without it. The image installs netcat for such checks.
 */
export const SERVING_CHECK = `echo srvr | nc -w 3 127.0.0.1 ${PORTS.client} | grep -q '^Mode: '`;

/**
 * With TLS only there is no plain port for `srvr`: a four-letter word over TLS needs a client
 * certificate (clientAuth need) and a TLS client, and the image has neither (nor does a probe
 * get the servers' key). So the check is that the TLS listener accepts connections — which it
 * does from the server's start, serving or not — with the netcat the image installs.
 */
export const LISTENING_CHECK = `nc -z -w 3 127.0.0.1 ${PORTS.secureClient}`;

/** Succeeds while the JVM answers at all: `ruok` says imok even during an election (so a liveness check must not use srvr). */
export const ALIVE_CHECK = `echo ruok | nc -w 3 127.0.0.1 ${PORTS.client} | grep -q imok`;

export interface ServerEnvironmentOptions {
  /** ZOO_MY_ID, when the engine knows it up front (Compose); Kubernetes derives it from the pod. */
  myId?: number;
  /** This container runs observers: `peerType=observer` leads its ZOO_CFG_EXTRA, as zkpseudo's zoo.cfg has it. */
  observer: boolean;
  /** The host name each server is reached at from the others. */
  hostOf: (server: ExportServer) => string;
  /** zoo.cfg settings this engine adds (written after the ensemble's own). */
  engineSettings?: [key: string, value: string][];
  /** A secured ensemble's zoo.cfg keys (paths at the engine's mounts) and JVM flags (export/security). */
  security?: { settings: [key: string, value: string][]; jvmFlags: string[]; plainClient: boolean };
}

/**
 * The environment of a server's container, in the order the entrypoint writes the lines.
 * Unescaped for an engine: `literal()` each value when writing the file.
 */
export function serverEnvironment(model: ExportModel, opts: ServerEnvironmentOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (opts.myId !== undefined) env.ZOO_MY_ID = String(opts.myId);
  env.ZOO_SERVERS = model.servers.map((s) => serverLine(s, opts.hostOf(s), opts.security?.plainClient ?? true)).join(' ');
  const extra: string[] = opts.observer ? [cfgExtraWord('peerType', 'observer')] : [];
  const own = new Set(model.settings.map(([key]) => key));
  // zkpseudo's zoo.cfg has its security keys before the user's, so a user's key of the same name wins there; here too.
  const security = (opts.security?.settings ?? []).filter(([key]) => !own.has(key));
  for (const [key] of security) own.add(key);
  for (const [key, value] of [...security, ...model.settings, ...(opts.engineSettings ?? []).filter(([key]) => !own.has(key))]) {
    const variable = IMAGE_VARIABLES[key];
    // The entrypoint writes these variables' values as they are: escaped here as Properties needs.
    if (variable) env[variable] = escapePropertyValue(value);
    else extra.push(cfgExtraWord(key, value));
  }
  // The image turns the AdminServer on by default (8080); zkpseudo's ensembles have it off unless asked.
  env.ZOO_ADMINSERVER_ENABLED = String(model.adminServer);
  if (extra.length) env.ZOO_CFG_EXTRA = extra.join(' ');
  // A later -Xmx wins over the -Xmx1000m that the image's zkEnv.sh puts first (ZK_SERVER_HEAP's default).
  // The JAAS file's path and FIPS mode (SASL): zkServer.sh splits JVMFLAGS on blanks, and neither has one.
  env.JVMFLAGS = [`-Xmx${model.heapMb}m`, ...(opts.security?.jvmFlags ?? [])].join(' ');
  return env;
}
