/**
 * The Java that ZooKeeper's own client (zkCli.sh) runs on. Most releases take the servers'
 * Java; 3.4's client cannot connect from Java 14 or later (version-facts' clientMaximumJava),
 * so for it a Java old enough is looked for — ZKPSEUDO_CLIENT_JAVA_HOME, then JAVA_HOME or
 * PATH, then /usr/lib/jvm — and without one `cli` fails at once, saying what to install and
 * how to point zkpseudo at it, instead of a hang or a stack trace.
 */
import { ZkpseudoError } from '../../errors.js';
import { findJava, javaInHome, systemJavaHomes } from './java.js';
import { versionFacts } from '../../zk/version-facts.js';
import type { ZkVersion } from '../../zk/versions.js';

export interface ClientJava {
  /** JAVA_HOME for zkCli.sh, when not the one the servers use. */
  javaHome?: string;
  /** What was chosen, when it is not the usual Java. */
  note?: string;
}

export async function clientJava(env: NodeJS.ProcessEnv, v: ZkVersion, jvmDir?: string): Promise<ClientJava> {
  const { clientMaximumJava: max, minimumJava: min } = versionFacts(v);
  if (max === undefined) return {};
  const why = `ZooKeeper ${v.text}'s client (zkCli.sh) cannot connect from Java ${max + 1} or later: it fails with UnresolvedAddressException`;
  const explicit = env.ZKPSEUDO_CLIENT_JAVA_HOME;
  if (explicit) {
    const j = await javaInHome(explicit);
    if (!j) throw new ZkpseudoError(`ZKPSEUDO_CLIENT_JAVA_HOME=${explicit} holds no Java that runs (no ${explicit}/bin/java).`, `Point ZKPSEUDO_CLIENT_JAVA_HOME at the home of a Java ${min}–${max}, such as a Java 8 or 11.`);
    if (j.feature > max || j.feature < min) throw new ZkpseudoError(`${why}, and ZKPSEUDO_CLIENT_JAVA_HOME=${explicit} is Java ${j.version}.`, `Point ZKPSEUDO_CLIENT_JAVA_HOME at a Java ${min}–${max}, such as a Java 8 or 11.`);
    return { javaHome: explicit, note: `zkCli.sh runs on Java ${j.version} from ZKPSEUDO_CLIENT_JAVA_HOME` };
  }
  const usual = await findJava(env).catch(() => undefined);
  if (usual && usual.feature <= max && usual.feature >= min) return {};
  for (const home of await systemJavaHomes(jvmDir)) {
    const j = await javaInHome(home);
    if (j && j.feature <= max && j.feature >= min) return { javaHome: home, note: `zkCli.sh runs on Java ${j.version} from ${home} (${why} such as ${usual ? `Java ${usual.feature}` : 'the default'})` };
  }
  throw new ZkpseudoError(
    `${why}, and the Java it would use${usual ? `, ${usual.executable}, is Java ${usual.version}` : ' is missing'}; no Java ${min}–${max} was found (looked at ZKPSEUDO_CLIENT_JAVA_HOME, JAVA_HOME, PATH and ${jvmDir ?? '/usr/lib/jvm'}).`,
    `Install a Java 8 or 11 and point zkpseudo at it: \`ZKPSEUDO_CLIENT_JAVA_HOME=/path/to/jdk-11 zkpseudo cli\` (the servers stay on their Java). Meanwhile \`zkpseudo check\` proves the ensemble serves, with zkpseudo's own client.`,
  );
}
