/** `zkpseudo cli` on a secured ensemble: which address and which client settings zkCli.sh gets. */
import type { EnsembleSpec, Member } from '../../options/types.js';
import { versionFacts } from '../../zk/version-facts.js';
import { parseZkVersion } from '../../zk/versions.js';
import type { EnsemblePaths } from '../store/layout.js';
import { clientEndpoint } from './endpoints.js';
import { securityFiles } from './files.js';
import { javaClientLaunch, type JavaClientLaunch } from './java-client.js';

/** One server's client address, or (no member) the whole connect string — over TLS where the ensemble has it. */
export function zkCliServer(spec: EnsembleSpec, member?: Member): string {
  const members = member ? [member] : spec.members;
  return members.map((m) => `127.0.0.1:${clientEndpoint(spec, m, 'secure').port}`).join(',');
}

/** The arguments and JVM flags zkCli.sh needs (the files they name were made with the ensemble). */
export async function zkCliLaunch(paths: EnsemblePaths, spec: EnsembleSpec): Promise<JavaClientLaunch> {
  return javaClientLaunch(spec, securityFiles(paths), versionFacts(parseZkVersion(spec.zkVersion)!));
}
