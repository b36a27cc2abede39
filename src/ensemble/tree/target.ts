/**
 * Where reset, seed, dump and namespaces act: an ensemble of this machine, as its super user,
 * or any ensemble by connect string (`--connect`), as an ordinary client. The CLI finds which
 * with cli/target.ts's commandTarget, as for status, wait and check, and makes its Target one
 * of these (a session with a super user and a reused session are this module's own).
 */
import { connect, type TreeSession as Session } from '../../edge/zkclient.js';
import { UsageError, ZkpseudoError } from '../../errors.js';
import type { EnsembleSpec } from '../../options/types.js';
import type { ConnectString } from '../../zk/connect-string.js';
import { atLeast, parseZkVersion } from '../../zk/versions.js';
import { znodePathProblem } from '../../zk/znodes.js';
import { connectString } from '../observe/probe.js';
import type { EnsemblePaths } from '../store/layout.js';
import { readSecret, superCredential } from '../store/super-secret.js';
import { clientSecurity, openSession as openWireSession, type ClientSecurity } from '../security/client.js';
import { connect as connectWire, type Session as WireSession } from '../../edge/zkwire/session.js';
import { treeSession } from './wire-session.js';

export interface TreeTarget {
  connectString: string;
  /** How messages name it: `ensemble "ci"`, or the connect string. */
  label: string;
  /** The super user's password, for an ensemble of this machine that has one. */
  superPassword?: string;
  /** Why there is no super user, said when an ACL stops an operation. */
  noSuper: string;
  /** What to do when it does not answer. */
  unreachableHint: string;
  /** Its servers take multiRead (3.6 and later), which lists many nodes in one request. */
  multiRead: boolean;
  /**
   * Keep a session between calls (the library: a test's beforeEach resets again and again,
   * and a new session costs a connection and a write on the quorum). The CLI makes one call.
   */
  reuse?: boolean;
  /**
   * Opens the session itself instead of node-zookeeper-client on `connectString`: on a TLS-only
   * or SASL-enforcing ensemble, which that client cannot reach, zkpseudo's own client (TLS,
   * SASL). Rejects with a ZkpseudoError saying why when no server takes it.
   */
  open?: (timeoutMs: number) => Promise<Session>;
}

/** An ensemble made by zkpseudo, acted on as its super user when it has one. */
export async function ensembleTarget(paths: EnsemblePaths, spec: EnsembleSpec): Promise<TreeTarget> {
  const name = spec.name;
  // node-zookeeper-client speaks plain ZooKeeper without SASL: with --tls it uses the plain port
  // beside the TLS one; a TLS-only or SASL-enforcing ensemble takes zkpseudo's own client.
  const secured = !!(spec.security?.tls?.only || spec.security?.sasl);
  const secret = await readSecret(paths);
  return {
    connectString: connectString(spec),
    label: `ensemble "${name}"`,
    ...('password' in secret ? { superPassword: secret.password } : {}),
    noSuper: 'password' in secret
      ? `its servers may have been started before it had a super user: restart them (\`zkpseudo restart all --name ${name}\`)`
      : `it has ${secret.problem === 'missing' ? 'no' : 'a damaged'} super-user secret; \`zkpseudo restart all --name ${name}\` makes one and gives it to its servers`,
    unreachableHint: `Is it running? \`zkpseudo status --name ${name}\` shows it; \`zkpseudo up --name ${name}\` starts it.`,
    // zkpseudo's own client has no multiRead: it walks node by node.
    multiRead: !secured && atLeast(parseZkVersion(spec.zkVersion)!, 3, 6),
    ...(secured ? { open: (timeoutMs: number) => openSecured(paths, spec, timeoutMs) } : {}),
  };
}

/**
 * A session with the first server of the ensemble that takes one, over TLS where it has TLS,
 * logged in with SASL (as the application's user) where it has SASL; the super user's digest
 * credential is added as on any ensemble (openSession).
 */
async function openSecured(paths: EnsemblePaths, spec: EnsembleSpec, timeoutMs: number): Promise<Session> {
  const security = await clientSecurity(paths, spec);
  return firstThatOpens(spec.members, timeoutMs, (member, left) => openWireSession(paths, spec, member, { security, connectTimeoutMs: left }), {
    label: `ensemble "${spec.name}"`,
    hint: `Is it running? \`zkpseudo status --name ${spec.name}\` shows it; \`zkpseudo check --name ${spec.name}\` tries its TLS and SASL as a client.`,
  });
}

/** A tree session through zkpseudo's own client with the first of `servers` that takes one within `timeoutMs`; else a ZkpseudoError with the last refusal. */
async function firstThatOpens<T>(servers: readonly T[], timeoutMs: number, connectTo: (server: T, leftMs: number) => Promise<WireSession>, says: { label: string; hint: string }): Promise<Session> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (const server of servers) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      return treeSession(await connectTo(server, left));
    } catch (err) {
      last = err;
    }
  }
  throw new ZkpseudoError(`Could not open a session on ${says.label} within ${timeoutMs / 1000} s${last ? ` (${(last as Error).message})` : ''}.`, says.hint);
}

/**
 * Any ensemble, by its connect string (parsed by zk/connect-string, as `--connect` and
 * $ZK_CONNECT are for every client command): no super user, so ACLs apply as to any client.
 * The chroot must also be a path ZooKeeper takes (no control characters, for one).
 */
export function connectTarget(cs: ConnectString, credentials: ClientSecurity = {}): TreeTarget {
  const problem = cs.chroot === undefined ? undefined : znodePathProblem(cs.chroot);
  if (problem) throw new UsageError(`The connect string "${cs.text}": its chroot ${cs.chroot} ${problem}.`, 'Give a ZooKeeper connect string such as 127.0.0.1:2181,127.0.0.1:2182 (a chroot may follow: …/app).');
  const flags = `${credentials.tls ? ' --tls' : ''}${credentials.sasl ? ' --sasl' : ''}`;
  const unreachableHint = `Check the connect string and that those servers run (\`zkpseudo status --connect ${cs.text}${flags}\`).`;
  return {
    connectString: cs.text,
    label: `the ensemble at ${cs.text}`,
    noSuper: 'with --connect zkpseudo acts as an ordinary client, without a super user',
    unreachableHint,
    // Their version is unknown, and servers before 3.6 know no multiRead.
    multiRead: false,
    // TLS or SASL: zkpseudo's own client (node-zookeeper-client speaks neither).
    ...(credentials.tls || credentials.sasl ? { open: (timeoutMs: number) => openAnyServer(cs, credentials, timeoutMs, unreachableHint) } : {}),
  };
}

/** A session with the first server of the connect string that takes one, with the credentials given. */
function openAnyServer(cs: ConnectString, credentials: ClientSecurity, timeoutMs: number, hint: string): Promise<Session> {
  return firstThatOpens(cs.servers, timeoutMs, (at, left) => connectWire({
    host: at.host, port: at.port, chroot: cs.chroot, connectTimeoutMs: left,
    ...(credentials.tls ? { tls: credentials.tls } : {}),
    ...(credentials.sasl ? { sasl: credentials.sasl } : {}),
  }), { label: `the ensemble at ${cs.text}`, hint });
}

/** How long to try to reach a serving server before saying so. */
const CONNECT_MS = 8000;

/**
 * A session on the target, as its super user when it has one. The caller closes it, and
 * awaits `synced` with its first requests (see withSession).
 */
export async function openSession(target: TreeTarget): Promise<{ session: Session; synced: Promise<void> }> {
  let session: Session;
  if (target.open) {
    session = await target.open(CONNECT_MS);
  } else try {
    session = await connect(target.connectString, CONNECT_MS);
  } catch {
    throw new ZkpseudoError(`Could not reach ${target.label}${target.label.includes(target.connectString) ? '' : ` (${target.connectString})`} within ${CONNECT_MS / 1000} s.`, target.unreachableHint);
  }
  if (target.superPassword) session.authenticate('digest', superCredential(target.superPassword));
  return { session, synced: syncOf(target, session) };
}

function syncOf(target: TreeTarget, session: Session): Promise<void> {
  return session.sync().catch((err: unknown) => {
    throw new ZkpseudoError(`${target.label} did not answer a request (${(err as Error).message}).`, target.unreachableHint, undefined, { cause: err });
  });
}

/** Idle sessions kept for reuse, by connect string and credential, each closed after IDLE_MS unused. */
const idle = new Map<string, { session: Session; timer: NodeJS.Timeout; unlisten: () => void }>();
const IDLE_MS = 5000;

function takeIdle(key: string): Session | undefined {
  const kept = idle.get(key);
  if (!kept) return undefined;
  idle.delete(key);
  clearTimeout(kept.timer);
  kept.unlisten();
  if (!kept.session.connected()) {
    kept.session.close();
    return undefined;
  }
  kept.session.hold(true);
  return kept.session;
}

/**
 * Keeps a session for the next call. It does not keep the process alive, and it is closed
 * when unused for IDLE_MS or as soon as its connection drops (the ensemble went down): a
 * session that would reconnect in the background could.
 */
function keepIdle(key: string, session: Session): void {
  if (idle.has(key) || !session.connected()) {
    session.close();
    return;
  }
  session.hold(false);
  const drop = () => {
    const kept = idle.get(key);
    if (kept?.session !== session) return;
    clearTimeout(kept.timer);
    kept.unlisten();
    idle.delete(key);
    session.close();
  };
  idle.set(key, { session, timer: setTimeout(drop, IDLE_MS).unref(), unlisten: session.onLost(drop) });
}

/**
 * Runs `fn` with a session on the target, closed afterwards whatever happens (or, with
 * `reuse`, kept for the next call when all went well). The session is caught up with the
 * leader first (so it sees every write acknowledged to any client before this call) without
 * waiting for that: ZooKeeper answers a session's reads only after its earlier writes, and
 * the catching up is one.
 */
export async function withSession<T>(target: TreeTarget, fn: (s: Session) => Promise<T>): Promise<T> {
  const key = `${target.connectString}\0${target.superPassword ?? ''}`;
  const reused = target.reuse ? takeIdle(key) : undefined;
  const { session, synced } = reused ? { session: reused, synced: syncOf(target, reused) } : await openSession(target);
  let ok = false;
  try {
    const [, result] = await Promise.all([synced, fn(session)]);
    ok = true;
    return result;
  } finally {
    if (ok && target.reuse) keepIdle(key, session);
    else session.close();
  }
}
