/**
 * Ensembles to export in the tests, and zkpseudo's own rendering of each: the zoo.cfg every
 * local server gets from templates/zoo.cfg.hbs, which an exported server must match.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parseEnsembleFile } from '../../src/options/file.js';
import { normalizeOptions } from '../../src/options/options.js';
import type { EnsembleOptions, EnsembleSpec, Member } from '../../src/options/types.js';
import { renderZooCfg } from '../../src/zk/config/config.js';
import { blockPorts, blockSpan, classicPorts, CLASSIC_SECURE_BASE } from '../../src/zk/config/ports.js';
import { parseProperties } from '../../src/zk/config/properties.js';
import { DEFAULT_ZK_VERSION, parseZkVersion } from '../../src/zk/versions.js';

const TEMPLATE = readFileSync(new URL('../../templates/zoo.cfg.hbs', import.meta.url), 'utf8');
const ENSEMBLES = new URL('../../ensembles/', import.meta.url);

/** The ensemble files zkpseudo ships, by file name. */
export function shippedEnsembles(): Record<string, EnsembleOptions> {
  const files = readdirSync(ENSEMBLES).filter((f) => f.endsWith('.yaml')).sort();
  return Object.fromEntries(files.map((f) => [f, parseEnsembleFile(readFileSync(new URL(f, ENSEMBLES), 'utf8'), f)]));
}

/** Shapes and settings beyond the shipped files: a lone server, observers, ticks, odd values, admin ports. */
export const MORE_ENSEMBLES: Record<string, EnsembleOptions> = {
  'one server': { name: 'solo', servers: 1, zkVersion: '3.8.0' },
  'two observers on 3.8.0': { name: 'obs2', servers: 3, observers: 2, zkVersion: '3.8.0' },
  'a loopback tick': { name: 'fast', servers: 3, tick: '200ms', faults: true, zkVersion: '3.9.3' },
  'a network tick': { name: 'calm', servers: 3, tick: '1500ms', zkVersion: '3.9.3' },
  'odd values': {
    name: 'Odd_Name.v2', servers: 5, zkVersion: '3.8.0', heap: '1g',
    config: {
      'my.padded': ' lead  and trail ', glob: 'a*b?[c]', dollar: 'x$(HOME)${PATH}$$', unicode: 'józef ✓ 😀', backslash: 'C:\\dir\\x',
      hash: '#not a comment', eq: 'a=b:c', tab: 'a\tb', 'autopurge.purgeInterval': 24, initLimit: 20, forceSync: 'no',
      '4lw.commands.whitelist': 'srvr, mntr,conf',
    },
  },
  'admin server, block ports': { name: 'admin', servers: 3, ports: 23000, adminPort: 'auto', zkVersion: '3.9.3' },
  'a tick in config': { name: 'cfgtick', servers: 3, zkVersion: '3.8.0', config: { tickTime: 300, maxClientCnxns: 77 } },
};

/** Secured ensembles: TLS beside the plain port, TLS only with SASL, TLS with SASL (`up --tls`, `--tls-only --sasl`, `--tls --sasl`). */
export const SECURED_ENSEMBLES: Record<string, EnsembleOptions> = {
  '--tls': { name: 'tls', servers: 3, zkVersion: '3.9.3', tls: true },
  '--tls-only --sasl': { name: 'tlsonly-sasl', servers: 3, observers: 1, zkVersion: '3.8.0', tlsOnly: true, sasl: true },
  '--tls --sasl': { name: 'tls-sasl', servers: 3, zkVersion: '3.6.4', tls: true, tlsClientAuth: 'want', sasl: true, ports: 24000 },
  '--sasl on 3.5.10': { name: 'sasl-old', servers: 3, zkVersion: '3.5.10', sasl: true },
  '--tls, block ports and admin': { name: 'tls-admin', servers: 3, zkVersion: '3.9.3', tls: true, ports: 25000, adminPort: 'auto' },
};

/** The resolved spec `up` would record for these options (classic or block ports, no dist). */
export function specOf(opts: EnsembleOptions): EnsembleSpec {
  const req = normalizeOptions(opts);
  const total = req.servers + req.observers;
  const withAdmin = req.adminPort !== undefined;
  const ports = typeof req.ports === 'number' ? blockPorts(req.ports, total, withAdmin) : classicPorts(total, withAdmin);
  // TLS beside the plain port: a TLS port per server after the block (or 2281+i), as `up` picks them.
  const dualTls = !!req.security?.tls && !req.security.tls.only;
  const secure = (i: number) => (typeof req.ports === 'number' ? req.ports + blockSpan(total, withAdmin) : CLASSIC_SECURE_BASE) + i;
  const members: Member[] = ports.map((p, i) => ({
    id: i + 1, peerType: i < req.servers ? 'participant' : 'observer',
    ports: { ...(withAdmin && !p.admin ? { ...p, admin: 8080 + i } : p), ...(dualTls ? { secureClient: secure(i) } : {}) },
  }));
  return {
    name: req.name,
    zkVersion: req.zkVersion?.text ?? DEFAULT_ZK_VERSION,
    dist: { source: 'download', origin: 'https://dlcdn.apache.org/', tarball: '/cache/x.tar.gz', sha512: 'ab'.repeat(64) },
    heapMb: req.heapMb,
    portScheme: req.ports,
    members,
    config: req.config,
    ...(req.tickMs !== undefined ? { tickMs: req.tickMs } : {}),
    ...(req.security ? { security: req.security } : {}),
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

/** Each local server's zoo.cfg, as java.util.Properties reads it, by id. */
export function localZooCfgs(spec: EnsembleSpec): Map<number, Record<string, string>> {
  const version = parseZkVersion(spec.zkVersion)!;
  return new Map(spec.members.map((m) => [m.id, parseProperties(renderZooCfg(TEMPLATE, {
    ensemble: spec.name, version, self: m, members: spec.members, dataDir: `/home/dev/.zkpseudo/${spec.name}/zookeeper-${m.id}/data`,
    config: spec.config, ...(spec.tickMs !== undefined ? { tickMs: spec.tickMs } : {}),
    ...(spec.security ? { security: { spec: spec.security, keyStore: localStores(spec, m.id).keyStore, trustStore: localStores(spec, m.id).trustStore } } : {}),
  }))]));
}

/** Where a local secured server's key and trust stores are (securityFiles' names). */
export function localStores(spec: EnsembleSpec, id: number) {
  const dir = `/home/dev/.zkpseudo/${spec.name}/security`;
  return { keyStore: `${dir}/server-${id}.pem`, trustStore: `${dir}/ca.pem`, jaas: `${dir}/jaas-server-${id}.conf` };
}
