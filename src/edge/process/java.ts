/** Finding the Java runtime the servers will run on, the way zkEnv.sh does. */
import { access, constants, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

export interface JavaRuntime {
  /** The java executable. */
  executable: string;
  /** Feature version: 8 for "1.8.0_292", 17 for "17.0.15". */
  feature: number;
  /** The version as the runtime prints it. */
  version: string;
}

/** A java executable was found but could not be asked its version: what it said. */
export class JavaUnusable extends Error {
  constructor(readonly executable: string, readonly output: string) {
    super(`${executable} -version failed: ${output.split('\n').filter(Boolean).slice(0, 2).join(' ') || 'no output'}`);
  }
}

/**
 * Variables through which a caller's shell changes every JVM it starts. The probe runs without
 * them (as the servers do), so a broken setting there is not taken for a missing Java.
 */
export const JVM_CHANGING_VARIABLES = ['_JAVA_OPTIONS', 'JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', 'JAVA_OPTIONS', 'CLASSPATH'];

/** "1.8.0_292" → 8, "17.0.15" → 17, "21" → 21; undefined for anything else. */
export function javaFeatureVersion(version: string): number | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(() => true, () => false);
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * JAVA_HOME/bin/java if it is executable, else `java` on PATH (as zkEnv.sh 3.5.1+ does).
 * The version comes from the JDK's `release` file when there is one (no JVM start), else
 * from `java -version`. Undefined when there is no Java at all.
 */
export async function findJava(env: NodeJS.ProcessEnv): Promise<JavaRuntime | undefined> {
  const fromHome = env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : undefined;
  const executable = fromHome && (await isExecutable(fromHome)) ? fromHome : await onPath('java', env);
  if (!executable) return undefined;
  let version: string | undefined;
  try {
    const home = path.dirname(path.dirname(await realpath(executable)));
    const release = await readFile(path.join(home, 'release'), 'utf8');
    version = /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1];
  } catch {
    /* no release file: ask the runtime */
  }
  if (!version) {
    const { execa } = await import('execa');
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (v !== undefined && !JVM_CHANGING_VARIABLES.includes(k)) clean[k] = v;
    const out = await execa(executable, ['-version'], { reject: false, env: clean, extendEnv: false, timeout: 20_000 });
    version = /version "([^"]+)"/.exec(out.stderr)?.[1];
    if (!version) throw new JavaUnusable(executable, `${out.stderr}\n${out.stdout}`.trim());
  }
  const feature = version ? javaFeatureVersion(version) : undefined;
  if (!version || feature === undefined) throw new JavaUnusable(executable, `version "${version ?? ''}" is not one zkpseudo can read`);
  return { executable, feature, version };
}

/** The Java runtime in a JAVA_HOME-style directory (`<dir>/bin/java`), or undefined when it has none that runs. */
export async function javaInHome(home: string): Promise<JavaRuntime | undefined> {
  return findJava({ JAVA_HOME: home, PATH: '' }).catch(() => undefined);
}

/**
 * Java installs in the system's usual place (`/usr/lib/jvm` on Debian, Ubuntu and RHEL), one
 * per real directory, in name order.
 */
export async function systemJavaHomes(dir = '/usr/lib/jvm'): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const homes = new Map<string, string>();
  for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
    const home = path.join(dir, name);
    if (!(await isExecutable(path.join(home, 'bin', 'java')))) continue;
    const real = await realpath(home).catch(() => home);
    if (!homes.has(real)) homes.set(real, home);
  }
  return [...homes.values()];
}
