/**
 * The semantic check of an export: what each exported server's container would write as its
 * zoo.cfg and myid (see official-image.ts), compared with zkpseudo's own rendering of the same
 * spec. What may differ is named here, each with the reason.
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import YAML from 'yaml';
import { exportEnsemble, type ExportTarget } from '../../src/export/export.js';
import { parseProperties } from '../../src/zk/config/properties.js';
import type { EnsembleOptions } from '../../src/options/types.js';
import { composeValue, entrypoint, kubernetesValue } from './official-image.js';
import { localStores, localZooCfgs, specOf } from './export-cases.js';
import { securityJvmFlags } from '../../src/zk/config/security-cfg.js';
import { versionFacts } from '../../src/zk/version-facts.js';
import { parseZkVersion } from '../../src/zk/versions.js';

interface ExportedServer {
  id: number;
  myid: string;
  cfg: Record<string, string>;
  /** The host name the other servers reach it at. */
  host: string;
  jvmFlags: string;
}

/** What each Compose service's container writes at its first start. */
function composeServers(text: string): ExportedServer[] {
  const doc = YAML.parse(text) as { services: Record<string, { environment: Record<string, string>; hostname: string }> };
  return Object.values(doc.services).map((svc) => {
    const env = Object.fromEntries(Object.entries(svc.environment).map(([k, v]) => [k, composeValue(String(v))]));
    const { zooCfg, myid } = entrypoint(env);
    return { id: Number(myid), myid, cfg: parseProperties(zooCfg), host: svc.hostname, jvmFlags: env.JVMFLAGS ?? '' };
  });
}

interface Container {
  command: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
}

/**
 * What each pod of each StatefulSet writes at its first start. Its myid comes from running its
 * start command for real in bash (one bash per StatefulSet, a subshell per pod), where the
 * hand-over to the image's entrypoint prints the myid the script set instead.
 */
function kubernetesServers(text: string): ExportedServer[] {
  const docs = YAML.parseAllDocuments(text).map((d) => d.toJS()) as { kind: string; metadata: { name: string }; spec: { replicas: number; serviceName: string; template: { spec: { containers: Container[] } } } }[];
  const out: ExportedServer[] = [];
  for (const set of docs.filter((d) => d.kind === 'StatefulSet')) {
    const container = set.spec.template.spec.containers[0]!;
    const pods = Array.from({ length: set.spec.replicas }, (_, ordinal) => `${set.metadata.name}-${ordinal}`);
    const envs = pods.map((pod) => {
      const env: Record<string, string> = {};
      for (const e of container.env) env[e.name] = e.valueFrom ? (e.valueFrom.fieldRef.fieldPath === 'metadata.name' ? pod : '?') : kubernetesValue(e.value ?? '', env);
      return env;
    });
    const scripts = envs.map((env) => {
      const [shell, flag, script] = container.command.map((c) => kubernetesValue(c, env));
      expect([shell, flag]).toEqual(['bash', '-c']);
      const handOver = 'exec /docker-entrypoint.sh zkServer.sh start-foreground';
      expect(script).toContain(handOver);
      return script!.replace(handOver, 'printf %s "$ZOO_MY_ID"');
    });
    const quoted = (t: string) => `'${t.replace(/'/g, `'\\''`)}'`;
    // Each pod's script in a subshell of its own, as its container's bash would run it.
    const batch = pods.map((pod, i) => `(export POD_NAME=${quoted(pod)}; ${scripts[i]}); echo`).join('\n');
    const myids = execFileSync('bash', ['-c', batch], { env: { PATH: process.env.PATH }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n');
    pods.forEach((pod, i) => {
      const env = envs[i]!;
      const myid = myids[i]!;
      const { zooCfg } = entrypoint({ ...env, ZOO_MY_ID: myid });
      out.push({ id: Number(myid), myid, cfg: parseProperties(zooCfg), host: `${pod}.${set.spec.serviceName}`, jvmFlags: env.JVMFLAGS ?? '' });
    });
  }
  return out;
}

/** `server.N` lines as parts: `host:quorum:election[:type][;[clientHost:]clientPort]`. */
function serverLines(cfg: Record<string, string>) {
  const lines = new Map<number, { host: string; quorum: string; election: string; observer: boolean; clientPort: string }>();
  for (const [key, value] of Object.entries(cfg)) {
    const id = /^server\.(\d+)$/.exec(key)?.[1];
    if (!id) continue;
    const [peer = '', client = ''] = value.split(';');
    const [host = '', quorum = '', election = '', type] = peer.split(':');
    lines.set(Number(id), { host, quorum, election, observer: type === 'observer', clientPort: client.split(':').pop()! });
  }
  return lines;
}

/** Keys each deployment decides for itself: paths in the container, addresses and ports (server lines are compared on their own). */
const DEPLOYMENT_KEYS = new Set(['dataDir', 'dataLogDir', 'clientPort', 'clientPortAddress', 'admin.serverAddress', 'admin.serverPort', 'secureClientPort', 'secureClientPortAddress']);
/**
 * Keys whose values are paths: zkpseudo's name its ensemble's security/ files, an export's the
 * engine's mounts of the user's secrets. Both must be there, the exported one an absolute path.
 */
const PATH_KEYS = new Set(['ssl.keyStore.location', 'ssl.trustStore.location', 'ssl.quorum.keyStore.location', 'ssl.quorum.trustStore.location']);
/** Where the exported servers find the user's secrets (export/compose.ts, export/kubernetes.ts). */
const MOUNTS: Record<ExportTarget, RegExp> = { compose: /^\/run\/secrets\/[a-z.]+$/, kubernetes: /^\/secrets\/(tls|jaas)\/[a-z.]+$/ };
/** Keys the image always writes and zkpseudo leaves to ZooKeeper: each must hold ZooKeeper's own default. */
const ZOOKEEPER_DEFAULTS: Record<string, string> = { 'autopurge.snapRetainCount': '3', 'autopurge.purgeInterval': '0', standaloneEnabled: 'true' };
/** Keys an engine adds, and why: on Kubernetes a pod listens before its own DNS name is published. */
const ENGINE_KEYS: Record<ExportTarget, Record<string, string>> = { compose: {}, kubernetes: { quorumListenOnAllIPs: 'true' } };

export function expectSameEnsemble(target: ExportTarget, opts: EnsembleOptions) {
  const spec = specOf(opts);
  const local = localZooCfgs(spec);
  const result = exportEnsemble(opts, target);
  const exported = target === 'compose' ? composeServers(result.text) : kubernetesServers(result.text);
  const fastTick = result.notCarried.some((n) => n.startsWith('tick '));

  expect(exported.map((s) => s.id).sort((a, b) => a - b), 'one exported server per local server, same myids').toEqual(spec.members.map((m) => m.id));
  const hosts = new Map(exported.map((s) => [s.id, s.host]));
  for (const server of exported) {
    const mine = local.get(server.id)!;
    const theirs = server.cfg;
    const where = `${target} server ${server.id}`;
    // Server lines: the same ids and peer types, each at the host the engine names it by, on the image's ports.
    const localLines = serverLines(mine);
    const exportedLines = serverLines(theirs);
    if (spec.members.length === 1) {
      // zkpseudo runs a lone server standalone with no server line; the image's single line with standaloneEnabled=true is the same mode.
      expect(localLines.size, where).toBe(0);
      expect([...exportedLines.keys()], where).toEqual([1]);
      expect(theirs.standaloneEnabled, where).toBe('true');
    } else {
      expect([...exportedLines.keys()].sort(), where).toEqual([...localLines.keys()].sort());
      for (const [id, line] of exportedLines) {
        // TLS only: no `;client` locally, none exported either (the plain port is closed).
        expect(line, `${where}, server.${id}`).toEqual({ host: hosts.get(id), quorum: '2888', election: '3888', observer: localLines.get(id)!.observer, clientPort: localLines.get(id)!.clientPort ? '2181' : '' });
      }
    }
    // Every other key: equal, or a deployment's own, or ZooKeeper's default, or the engine's (named above).
    const keys = new Set([...Object.keys(mine), ...Object.keys(theirs)].filter((k) => !/^server\.\d+$/.test(k) && !DEPLOYMENT_KEYS.has(k)));
    // The client listeners: a plain port exactly where zkpseudo has one; the TLS port on the image's 2281.
    expect('clientPort' in theirs || serverLines(theirs).get(server.id)?.clientPort === '2181', `${where}: a plain client port`).toBe('clientPort' in mine);
    expect(theirs.secureClientPort, `${where}: secureClientPort`).toBe('secureClientPort' in mine ? '2281' : undefined);
    expect(theirs.secureClientPortAddress, `${where}: a container's TLS listener is on every address`).toBeUndefined();
    for (const key of keys) {
      if (PATH_KEYS.has(key)) {
        expect(mine[key], `${where}: ${key} locally`).toMatch(/^\/home\/dev\/\.zkpseudo\/.+\/security\/[a-z0-9-]+\.pem$/);
        expect(theirs[key], `${where}: ${key} at a mount of the user's secrets`).toMatch(MOUNTS[target]);
      } else if (key === 'tickTime' && fastTick) expect(theirs.tickTime, `${where}: a loopback tick becomes ZooKeeper's default`).toBe('2000');
      else if (key in mine) expect(theirs[key], `${where}: ${key}`).toBe(mine[key]);
      else if (key in ENGINE_KEYS[target]) expect(theirs[key], `${where}: ${key}`).toBe(ENGINE_KEYS[target][key]);
      else expect(theirs[key], `${where}: ${key} is not zkpseudo's, so it must be ZooKeeper's default`).toBe(ZOOKEEPER_DEFAULTS[key]);
    }
    // The heap: the image's zkEnv.sh puts -Xmx1000m first; JVMFLAGS comes later on the java command line, so its -Xmx wins.
    expect(server.jvmFlags.match(/-Xmx(\d+)m/g)?.pop(), where).toBe(`-Xmx${spec.heapMb}m`);
    // The security flags zkpseudo gives its own server (the JAAS file's path, FIPS mode): the same, the path at a mount.
    const jaas = '-Djava.security.auth.login.config=';
    const ownFlags = securityJvmFlags(spec.security, versionFacts(parseZkVersion(spec.zkVersion)!), localStores(spec, server.id).jaas);
    const flags = server.jvmFlags.split(' ').filter((f) => !f.startsWith('-Xmx'));
    expect(flags.map((f) => (f.startsWith(jaas) ? jaas : f)), `${where}: JVM flags`).toEqual(ownFlags.map((f) => (f.startsWith(jaas) ? jaas : f)));
    for (const f of flags.filter((x) => x.startsWith(jaas))) expect(f.slice(jaas.length), `${where}: the JAAS file at a mount`).toMatch(MOUNTS[target]);
  }
}
