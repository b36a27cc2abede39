/** The security variables of `zkpseudo env`, with the secrets read from the ensemble's files. */
import type { EnsembleSpec } from '../../options/types.js';
import type { EnsemblePaths } from '../store/layout.js';
import { securityVars } from './env-vars.js';
import { securityFiles } from './files.js';
import { readUsers, trustStorePassword } from './material.js';

export async function securityEnv(paths: EnsemblePaths, spec: EnsembleSpec): Promise<Record<string, string>> {
  const files = securityFiles(paths);
  const trust = spec.security?.tls ? await trustStorePassword(files, spec) : undefined;
  const app = spec.security?.sasl ? (await readUsers(paths, spec)).app : undefined;
  return securityVars(spec, files, { ...(trust ? { trustStorePassword: trust } : {}), ...(app ? { appPassword: app } : {}) });
}
