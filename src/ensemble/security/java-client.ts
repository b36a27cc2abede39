/**
 * How a Java client (zkCli.sh) is started against a secured ensemble (pure): the client
 * configuration file by path as an argument, the JAAS file and FIPS mode as JVM flags — paths
 * and switches only, since zkCli.sh puts CLIENT_JVMFLAGS on the java command line, which `ps`
 * shows; the trust store password stays in the 0600 configuration file.
 */
import type { EnsembleSpec } from '../../options/types.js';
import type { VersionFacts } from '../../zk/version-facts.js';
import type { SecurityFiles } from './files.js';

export interface JavaClientLaunch {
  /** Arguments before the user's: `-client-configuration FILE`. */
  args: string[];
  /** For CLIENT_JVMFLAGS. */
  jvmFlags: string[];
}

export function javaClientLaunch(spec: EnsembleSpec, files: SecurityFiles, facts: VersionFacts): JavaClientLaunch {
  const sec = spec.security;
  if (!sec) return { args: [], jvmFlags: [] };
  return {
    args: ['-client-configuration', files.javaClientConfig],
    jvmFlags: sec.sasl ? [`-Djava.security.auth.login.config=${files.clientJaas}`, ...(facts.fipsModeDefault ? ['-Dzookeeper.fips-mode=false'] : [])] : [],
  };
}
