/** The JSON shapes the CLI prints with --json (documented in the README). */
import { connectString, type EnsembleStatus } from '../ensemble/observe/probe.js';
import { secureConnectString } from '../ensemble/security/endpoints.js';
import type { UpResult } from '../ensemble/lifecycle/up.js';

/** `status --json`: the probe result plus where the ensemble lives. */
export function statusJson(status: EnsembleStatus, dir: string) {
  return { ...status, dir };
}

/** `up --json`: what a CI step needs to connect and to clean up. */
export function upJson(r: UpResult) {
  return {
    name: r.spec.name,
    zkVersion: r.spec.zkVersion,
    connectString: connectString(r.spec),
    ...(r.spec.security?.tls ? { secureConnectString: secureConnectString(r.spec) } : {}),
    dir: r.paths.dir,
    created: r.created,
    reused: r.reused,
    started: r.started,
    restarted: r.restarted,
    servers: r.status?.servers ?? r.spec.members.map((m) => ({ id: m.id, peerType: m.peerType, clientPort: m.ports.client })),
    ...(r.status ? { health: r.status.health } : {}),
  };
}
