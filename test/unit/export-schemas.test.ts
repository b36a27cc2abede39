/**
 * Exports pass the engines' own checks: the Compose Specification's schema and docker-compose's
 * parser, Kubernetes' OpenAPI schemas and the rules its API server adds (names, selectors that
 * match). A spec no engine could run is refused before anything is rendered — tested with
 * deliberately broken specs and with a seeded stream of random ones, each of which is either
 * refused with a usage error or exported as a file that passes every check.
 */
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { exportEnsemble, type ExportTarget } from '../../src/export/export.js';
import { UsageError } from '../../src/errors.js';
import type { EnsembleOptions } from '../../src/options/types.js';
import { composeSchemaProblems, dockerComposeProblems, kubernetesSchemaProblems } from '../helpers/engine-schemas.js';
import { kubernetesRuleProblems } from '../helpers/kubernetes-rules.js';
import { MORE_ENSEMBLES, SECURED_ENSEMBLES, shippedEnsembles, specOf } from '../helpers/export-cases.js';
import { expectSameEnsemble } from '../helpers/export-checks.js';

const shipped = shippedEnsembles();

/** Every problem of a Compose export's text, short of docker-compose (slow: a Python start per file). */
function composeProblems(text: string): string[] {
  const doc = YAML.parse(text) as { services: Record<string, { hostname: string; ports: string[]; environment: Record<string, string> }> };
  const problems = composeSchemaProblems(doc);
  const published = Object.values(doc.services).flatMap((s) => s.ports.map((p) => p.split(':').slice(0, 2).join(':')));
  if (new Set(published).size !== published.length) problems.push(`two services publish one host port: ${published.join(', ')}`);
  for (const [name, s] of Object.entries(doc.services)) {
    if (s.hostname !== name) problems.push(`${name}: hostname ${s.hostname} is not its service name`);
    for (const host of s.environment.ZOO_SERVERS!.split(' ').map((l) => l.split('=')[1]!.split(':')[0]!)) {
      if (!(host in doc.services)) problems.push(`${name}: ZOO_SERVERS names ${host}, which is no service`);
    }
  }
  return problems;
}

/** Every problem of a Kubernetes export's text: each object against its schema, then the API server's rules. */
function kubernetesProblems(text: string): string[] {
  const docs = YAML.parseAllDocuments(text);
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  const objects = docs.map((d) => d.toJS());
  const problems = [...errors, ...objects.flatMap((o) => kubernetesSchemaProblems(o).map((p) => `${o.kind} ${o.metadata?.name}: ${p}`)), ...kubernetesRuleProblems(objects)];
  // Every server line names a pod the objects make: <set>-<ordinal>.<headless service>.
  const pods = new Set(objects.filter((o) => o.kind === 'StatefulSet').flatMap((s) => Array.from({ length: s.spec.replicas }, (_, i) => `${s.metadata.name}-${i}.${s.spec.serviceName}`)));
  for (const s of objects.filter((o) => o.kind === 'StatefulSet')) {
    const servers = s.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'ZOO_SERVERS').value as string;
    for (const host of servers.split(' ').map((l) => l.split('=')[1]!.split(':')[0]!)) if (!pods.has(host)) problems.push(`${s.metadata.name}: ZOO_SERVERS names ${host}, which is no pod`);
  }
  return problems;
}

describe('the shipped ensemble files pass the engines\' schemas', () => {
  for (const [file, opts] of Object.entries(shipped)) {
    it(`${file} as Compose: the Compose Specification's schema and docker-compose config`, async () => {
      const { text } = exportEnsemble(opts, 'compose');
      expect(composeProblems(text)).toEqual([]);
      expect(await dockerComposeProblems(text)).toBe('');
    });
    it(`${file} as Kubernetes: each object's OpenAPI schema, and the API server's rules`, () => {
      const { text, documents } = exportEnsemble(opts, 'kubernetes');
      expect(kubernetesProblems(text)).toEqual([]);
      const kinds = documents.map((d) => (d as { kind: string }).kind);
      expect(kinds.filter((k) => k === 'Service')).toHaveLength(2);
      expect(kinds).toContain('PodDisruptionBudget');
      expect(kinds.filter((k) => k === 'StatefulSet')).toHaveLength(opts.observers ? 2 : 1);
    });
  }

  it('the PodDisruptionBudget keeps a quorum of voters: maxUnavailable is voters minus the majority', () => {
    const budget = (opts: EnsembleOptions) => (exportEnsemble(opts, 'kubernetes').documents.find((d) => (d as { kind: string }).kind === 'PodDisruptionBudget') as { spec: { maxUnavailable: number } }).spec.maxUnavailable;
    expect(budget(shipped['three.yaml']!)).toBe(1);
    expect(budget(shipped['five.yaml']!)).toBe(2);
    expect(budget(shipped['three-plus-observer.yaml']!)).toBe(1);
    expect(budget({ servers: 1 })).toBe(0);
    expect(budget({ servers: 4 })).toBe(1);
  });

  it('more shapes and odd values pass too (Compose through docker-compose as well)', async () => {
    for (const [name, opts] of Object.entries(MORE_ENSEMBLES)) {
      const compose = exportEnsemble(opts, 'compose').text;
      expect(composeProblems(compose), name).toEqual([]);
      expect(await dockerComposeProblems(compose), name).toBe('');
      expect(kubernetesProblems(exportEnsemble(opts, 'kubernetes').text), name).toEqual([]);
    }
  });

  it('secured ensembles (--tls, --tls-only --sasl, --tls --sasl, …) pass too, docker-compose included', async () => {
    for (const [name, opts] of Object.entries(SECURED_ENSEMBLES)) {
      for (const input of [opts, specOf(opts)]) {
        const compose = exportEnsemble(input, 'compose').text;
        expect(composeProblems(compose), name).toEqual([]);
        expect(await dockerComposeProblems(compose), name).toBe('');
        expect(kubernetesProblems(exportEnsemble(input, 'kubernetes').text), name).toEqual([]);
      }
    }
  });

  it('a secured export names its secrets and mounts them where zoo.cfg and JVMFLAGS look', () => {
    const opts = SECURED_ENSEMBLES['--tls-only --sasl']!;
    const compose = exportEnsemble(opts, 'compose').documents[0] as { services: Record<string, any>; secrets: Record<string, { file: string }> };
    expect(compose.secrets).toEqual({
      'zookeeper-ca': { file: './secrets/ca.pem' },
      'zoo1-keystore': { file: './secrets/zoo1.pem' }, 'zoo2-keystore': { file: './secrets/zoo2.pem' }, 'zoo3-keystore': { file: './secrets/zoo3.pem' }, 'zoo4-keystore': { file: './secrets/zoo4.pem' },
      'zookeeper-jaas': { file: './secrets/jaas.conf' },
    });
    const zoo2 = compose.services.zoo2;
    expect(zoo2.secrets).toEqual([{ source: 'zookeeper-ca', target: 'ca.pem' }, { source: 'zoo2-keystore', target: 'server.pem' }, { source: 'zookeeper-jaas', target: 'jaas.conf' }]);
    // TLS only: the local TLS port is published to the container's TLS port, and nothing else.
    expect(zoo2.ports).toEqual(['127.0.0.1:2182:2281']);
    expect(zoo2.healthcheck.test[1]).toMatch(/nc -z .* 2281/);
    expect(zoo2.environment.JVMFLAGS).toContain('-Djava.security.auth.login.config=/run/secrets/jaas.conf');

    const k8s = exportEnsemble(opts, 'kubernetes').documents as any[];
    const cs = k8s.find((o) => o.kind === 'Service' && o.metadata.name.endsWith('-cs'));
    expect(cs.spec.ports).toEqual([{ name: 'client-tls', port: 2281, targetPort: 'client-tls' }]);
    for (const set of k8s.filter((o) => o.kind === 'StatefulSet')) {
      const pod = set.spec.template.spec;
      expect(pod.volumes).toEqual([
        { name: 'tls', secret: { secretName: 'tlsonly-sasl-tls', defaultMode: 0o440 } },
        { name: 'jaas', secret: { secretName: 'tlsonly-sasl-jaas', defaultMode: 0o440 } },
      ]);
      const c = pod.containers[0];
      expect(c.ports.map((p: { name: string }) => p.name)).toEqual(['client-tls', 'quorum', 'election']);
      expect(c.readinessProbe.tcpSocket).toEqual({ port: 'client-tls' });
      expect(c.livenessProbe.tcpSocket).toEqual({ port: 'client-tls' });
      const extra = c.env.find((e: { name: string }) => e.name === 'ZOO_CFG_EXTRA').value as string;
      expect(extra).toContain('ssl.keyStore.location=/secrets/tls/server.pem');
      expect(extra).toContain('ssl.quorum.trustStore.location=/secrets/tls/ca.pem');
    }
    // Kubernetes keeps no Secret objects in the stream: applying placeholders would shadow the user's.
    expect(k8s.map((o) => o.kind)).not.toContain('Secret');

    // --tls (beside the plain port): both client ports, srvr still checks serving on the plain one.
    const dual = exportEnsemble(SECURED_ENSEMBLES['--tls']!, 'compose').documents[0] as { services: Record<string, any> };
    expect(dual.services.zoo1.ports).toEqual(['127.0.0.1:2181:2181', '127.0.0.1:2281:2281']);
    expect(dual.services.zoo1.healthcheck.test[1]).toMatch(/srvr/);
  });

  it('a secured export holds no key material: no PEM block, no private key, no password, no long base64', () => {
    for (const opts of Object.values(SECURED_ENSEMBLES)) {
      for (const target of ['compose', 'kubernetes'] as ExportTarget[]) {
        for (const input of [opts, specOf(opts)]) {
          const { text } = exportEnsemble(input, target);
          expect(text).not.toMatch(/-----BEGIN/);
          expect(text).not.toMatch(/PRIVATE KEY/);
          expect(text).not.toMatch(/MII[A-Za-z0-9+/]{20}/); // the start of any DER key or certificate in base64
          expect(text).not.toMatch(/[A-Za-z0-9+/=]{60,}/);
          expect(text).not.toMatch(/(password|passwd|user_[a-z]+)\s*=\s*"[^"…]/i);
          expect(text).not.toMatch(/\.zkpseudo|security\/(ca|server-\d)/); // no path to this machine's own files
        }
      }
    }
  });

  it('an existing ensemble (its recorded spec) exports and passes too', () => {
    const spec = { ...specOf(shipped['three-plus-observer.yaml']!), faults: { links: {}, clients: {} } };
    expect(composeProblems(exportEnsemble(spec, 'compose').text)).toEqual([]);
    expect(kubernetesProblems(exportEnsemble(spec, 'kubernetes').text)).toEqual([]);
  });

  it('the checks can fail: a misspelt field, a selector that misses its pods, an undeclared volume', async () => {
    const { documents, text } = exportEnsemble(shipped['three.yaml']!, 'compose');
    const bad = structuredClone(documents[0]) as { services: Record<string, Record<string, unknown>> };
    bad.services.zoo1!.helthcheck = {};
    expect(composeSchemaProblems(bad).join()).toMatch(/additional properties/);
    expect(await dockerComposeProblems(text.replace('zoo1-datalog:/datalog', 'zoo9-datalog:/datalog'))).toMatch(/no declaration was found/);
    const k8s = exportEnsemble(shipped['three.yaml']!, 'kubernetes').documents.map((d) => structuredClone(d)) as any[];
    const set = k8s.find((o) => o.kind === 'StatefulSet');
    set.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels.app = 'zk';
    expect(kubernetesRuleProblems(k8s).join()).toMatch(/anti-affinity does not match/);
    set.spec.replicas = '3';
    expect(kubernetesSchemaProblems(set).join()).toMatch(/replicas must be integer/);
  });
});

/** Specs no engine could run, each refused with a usage error naming the problem. */
const BROKEN: [string, unknown, RegExp][] = [
  ['no servers', { servers: 0 }, /servers/],
  ['too many servers', { servers: 40 }, /servers/],
  ['servers as text', { servers: '3' }, /servers/],
  ['negative observers', { observers: -1 }, /observers/],
  ['ZooKeeper 3.4', { zkVersion: '3.4.14' }, /older than 3\.5\.0/],
  ['an image without ZOO_CFG_EXTRA', { zkVersion: '3.6.0' }, /predates ZOO_CFG_EXTRA.*3\.6\.1/],
  ['a 3.5 beta', { zkVersion: '3.5.4-beta' }, /predates ZOO_CFG_EXTRA.*3\.5\.8/],
  ['no version', { zkVersion: 'banana' }, /zkVersion/],
  ['a heap that is no size', { heap: 'lots' }, /heap/],
  ['a name that climbs out', { name: '../x' }, /name/],
  ['a managed key', { config: { 'server.1': '127.0.0.1:1:2' } }, /managed by zkpseudo/],
  ['a data dir', { config: { dataDir: '/elsewhere' } }, /managed/],
  ['a key that is no key', { config: { 'bad key': 'x' } }, /not a zoo\.cfg key/],
  ['a tick that is no number', { config: { tickTime: 'fast' } }, /tickTime.*whole number.*not "fast"/],
  ['a limit with a blank inside', { config: { initLimit: '1 0' } }, /initLimit.*whole number/],
  ['a value across lines', { config: { a: 'line\nbreak' } }, /single line/],
  ['a tick below 50ms', { tick: '10ms' }, /tick/],
  ['a whitelist without srvr', { config: { '4lw.commands.whitelist': 'mntr' } }, /srvr/],
  ['an unknown key', { serverz: 3 }, /serverz/],
  ['a client auth that is no mode', { servers: 3, tls: true, tlsClientAuth: 'maybe' }, /tlsClientAuth/],
  ['a client auth without TLS', { servers: 3, tlsClientAuth: 'want' }, /tlsClientAuth.*TLS only/],
  ['TLS only with tls: false', { servers: 3, tls: false, tlsOnly: true }, /tlsOnly.*needs tls/],
  ['an option in a recorded spec', { ...specOf({ servers: 3 }), sasl: { users: 1 } }, /sasl/],
  ['a recorded TLS spec without its TLS ports', { ...specOf({ servers: 3 }), security: { tls: { only: false, clientAuth: 'need' } } }, /secureClient.*missing/],
  ['a recorded security block that is no block', { ...specOf({ servers: 3 }), security: { tls: true } }, /security/],
  ['no object', null, /spec/],
  ['a string', 'three', /spec/],
  ['a damaged recorded spec', { ...specOf({ servers: 3 }), members: [{ id: 2, peerType: 'voter', ports: {} }] }, /members/],
  ['observers before voters', { ...specOf({ servers: 3 }), members: specOf({ servers: 2, observers: 1 }).members.reverse().map((m, i) => ({ ...m, id: i + 1 })) }, /observers must come after/],
];

describe('a spec no engine could run is refused before anything is rendered', () => {
  for (const [what, spec, words] of BROKEN) {
    it.each<ExportTarget>(['compose', 'kubernetes'])(`${what} (%s)`, (target) => {
      const err = (() => { try { exportEnsemble(spec as EnsembleOptions, target); return undefined; } catch (e) { return e; } })();
      expect(err, 'refused').toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(64);
      expect((err as Error).message).toMatch(words);
    });
  }
  it('an unknown target is a usage error', () => {
    expect(() => exportEnsemble({ servers: 3 }, 'nomad' as ExportTarget)).toThrow(/not a target/);
  });
});

/** A small seeded generator (mulberry32): the same seed, the same specs. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick };
}

/** Characters a config value may hold (a line break is refused, so it is rare here). */
const NASTY = [' ', '\t', '*', '?', '[', ']', '$', '(', ')', '{', '}', '\\', "'", '"', '#', '!', '=', ':', ';', ',', '%', '&', '|', '<', '>', '`', '~', 'é', 'ł', '✓', '😀', '\u00a0', 'a', 'b', '1', '-', '.', '/'];

/** Mostly good values, each field now and then a bad one: most specs export, some are refused for one reason. */
function randomSpec(r: ReturnType<typeof random>): unknown {
  const either = <T>(good: readonly T[], bad: readonly T[]): T => (r.next() < 0.04 ? r.pick(bad) : r.pick(good));
  const text = (n: number) => Array.from({ length: n }, () => (r.next() < 0.01 ? '\n' : r.pick(NASTY))).join('');
  const spec: Record<string, unknown> = {
    name: either(['three', 'Team_ZK.v2', 'a', 'x'.repeat(64), '9lives', 'zk..prod', 'UPPER', 'a_', undefined], ['-bad', '../up', '', '_x']),
    servers: either([1, 2, 3, 5, 7, 31, undefined], [0, 32, -1, 2.5]),
    observers: either([0, 1, 2, 3, undefined], [-2, 40]),
    zkVersion: either(['3.5.8', '3.5.10', '3.6.1', '3.6.4', '3.7.2', '3.8.0', '3.9.5', '3.10.0', undefined], ['3.4.14', '3.5.4-beta', '3.6.0', 'latest']),
    heap: either(['32m', '128m', '1g', '64g', undefined], ['16m', 'big']),
    tick: either(['50ms', '200ms', '999ms', '1000ms', '2s', '60s', undefined], ['quick', '10ms']),
    faults: either([true, false, undefined], ['yes']),
    adminPort: either(['auto', 9000, undefined], ['admin']),
    ports: either(['auto', 'classic', 30000, undefined], [70000]),
    // Secured now and then: TLS beside the plain port, TLS only, SASL, a client-auth mode.
    // (bad values rarer than the 4% of other fields, so the stream still exports as many as it refuses)
    tls: r.next() < 0.01 ? 'on' : r.pick([true, undefined, undefined, undefined]),
    tlsOnly: r.next() < 0.01 ? 1 : r.pick([true, undefined, undefined, undefined, undefined]),
    tlsClientAuth: r.next() < 0.01 ? 'maybe' : r.pick([undefined, undefined, undefined, 'want', 'none']),
    sasl: r.next() < 0.01 ? 'yes' : r.pick([true, undefined, undefined, undefined]),
  };
  const config: Record<string, unknown> = {};
  for (let i = 0, n = Math.floor(r.next() * 5); i < n; i++) {
    const key = either(['forceSync', 'my.key', 'maxSessionTimeout', 'snapCount', 'quorumListenOnAllIPs', 'initLimit', 'syncLimit', 'maxClientCnxns', 'autopurge.purgeInterval', '4lw.commands.whitelist'], ['bad key', 'clientPort']);
    const numeric = ['initLimit', 'syncLimit', 'maxClientCnxns', 'autopurge.purgeInterval'].includes(key);
    config[key] = key === '4lw.commands.whitelist' ? either(['*', 'srvr,ruok', 'srvr', 'srvr, mntr conf'], ['mntr'])
      : numeric ? either([String(1 + Math.floor(r.next() * 100)), 7], [text(3)])
      : r.pick([text(1 + Math.floor(r.next() * 12)), String(Math.floor(r.next() * 100)), true, 7]);
  }
  if (spec.tlsClientAuth !== undefined && spec.tls === undefined && spec.tlsOnly === undefined && r.next() < 0.9) delete spec.tlsClientAuth; // applies to TLS only; keep that refusal rare
  if (spec.tick !== undefined && r.next() < 0.5) delete spec.tick; // a tick and config.tickTime together are refused; keep that rare
  if (Object.keys(config).length) spec.config = config;
  for (const k of Object.keys(spec)) if (spec[k] === undefined) delete spec[k];
  return spec;
}

describe('random specs, seeded: each is refused, or exported as files that pass every check', () => {
  const SEED = 20260223;
  it(`200 specs from seed ${SEED}`, async () => {
    const r = random(SEED);
    let refused = 0;
    let exported = 0;
    for (let i = 0; i < 200; i++) {
      const spec = randomSpec(r) as EnsembleOptions;
      const label = `spec ${i}: ${JSON.stringify(spec)}`;
      let compose: string;
      let kubernetes: string;
      try {
        compose = exportEnsemble(spec, 'compose').text;
        kubernetes = exportEnsemble(spec, 'kubernetes').text;
      } catch (err) {
        expect(err, label).toBeInstanceOf(UsageError);
        refused++;
        continue;
      }
      exported++;
      expect(composeProblems(compose), label).toEqual([]);
      expect(kubernetesProblems(kubernetes), label).toEqual([]);
      // And each server runs the same ZooKeeper as it would locally.
      expectSameEnsemble('compose', spec);
      expectSameEnsemble('kubernetes', spec);
      // docker-compose takes most of a second to start; every twentieth export goes through it too.
      if (exported % 20 === 1) expect(await dockerComposeProblems(compose), label).toBe('');
    }
    console.log(`${refused} refused, ${exported} exported and checked`);
    // The stream must exercise both outcomes, or it proves little.
    expect(refused).toBeGreaterThan(20);
    expect(exported).toBeGreaterThan(20);
  }, 300_000);
});
