/**
 * What `zkpseudo env` adds for a secured ensemble: the TLS connect string and everything a
 * client needs, as variables (pure: the spec, the files and the two secrets in, names out).
 * The passwords are printed because a client needs them and these are a throwaway test
 * ensemble's; each also has a _FILE twin for clients that read secrets from files.
 */
import type { EnsembleSpec } from '../../options/types.js';
import { APP_USER } from '../../zk/config/security-cfg.js';
import { clientEndpoint, secureConnectString } from './endpoints.js';
import type { SecurityFiles } from './files.js';

export function securityVars(spec: EnsembleSpec, files: SecurityFiles, secrets: { trustStorePassword?: string; appPassword?: string }): Record<string, string> {
  const sec = spec.security;
  if (!sec) return {};
  const vars: Record<string, string> = {};
  if (sec.tls) {
    vars.ZK_SECURE_CONNECT = secureConnectString(spec)!;
    if (!sec.tls.only) for (const m of spec.members) vars[`ZK_SECURE_SERVER_${m.id}`] = `127.0.0.1:${clientEndpoint(spec, m, 'secure').port}`;
    Object.assign(vars, {
      ZK_TLS_CA: files.caCert,
      ZK_TLS_CERT: files.clientCert,
      ZK_TLS_KEY: files.clientKey,
      ZK_TLS_KEYSTORE: files.clientStore,
      ZK_TLS_TRUSTSTORE: files.trustStore,
      ZK_TLS_TRUSTSTORE_PASSWORD: secrets.trustStorePassword ?? '',
      ZK_TLS_TRUSTSTORE_PASSWORD_FILE: files.trustStorePassword,
    });
  }
  if (sec.sasl) {
    Object.assign(vars, {
      ZK_SASL_USER: APP_USER,
      ZK_SASL_PASSWORD: secrets.appPassword ?? '',
      ZK_SASL_JAAS: files.clientJaas,
      ZK_SASL_SUPER_JAAS: files.superJaas,
    });
  }
  vars.ZK_CLIENT_CONFIG = files.javaClientConfig;
  return vars;
}
