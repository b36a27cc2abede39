/**
 * The Java zkCli.sh runs on: 3.4's client cannot connect from Java 14+, so one old enough is
 * looked for (ZKPSEUDO_CLIENT_JAVA_HOME, JAVA_HOME/PATH, the system's JVM dir), else `cli`
 * fails at once naming what to install. Fake JDK homes: a `release` file and a bin/java.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientJava } from '../../src/edge/process/client-java.js';
import { ZkpseudoError } from '../../src/errors.js';
import { parseZkVersion } from '../../src/zk/versions.js';

let root: string;
const v = (t: string) => parseZkVersion(t)!;

async function fakeJdk(dir: string, version: string): Promise<string> {
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await writeFile(path.join(dir, 'bin', 'java'), '#!/bin/sh\nexit 1\n');
  await chmod(path.join(dir, 'bin', 'java'), 0o755);
  await writeFile(path.join(dir, 'release'), `JAVA_VERSION="${version}"\n`);
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-cjava-'));
  await fakeJdk(path.join(root, 'jvm', 'java-17'), '17.0.15');
  await fakeJdk(path.join(root, 'jvm', 'temurin-25'), '25');
  await fakeJdk(path.join(root, 'old', 'java-11'), '11.0.2');
  await mkdir(path.join(root, 'empty-jvm'));
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe('clientJava', () => {
  const java17 = () => ({ JAVA_HOME: path.join(root, 'jvm', 'java-17'), PATH: '' });

  it('3.5 and later: the servers\' Java, whatever its version', async () => {
    expect(await clientJava(java17(), v('3.8.0'), path.join(root, 'empty-jvm'))).toEqual({});
  });

  it('3.4 on Java 17 with no older Java anywhere: fails at once, naming the Java needed and ZKPSEUDO_CLIENT_JAVA_HOME', async () => {
    const err = await clientJava(java17(), v('3.4.13'), path.join(root, 'jvm')).catch((e) => e);
    expect(err).toBeInstanceOf(ZkpseudoError);
    expect(err.message).toMatch(/cannot connect from Java 14 or later/);
    expect(err.message).toMatch(/is Java 17\.0\.15; no Java 7–13 was found/);
    expect(err.hint).toMatch(/ZKPSEUDO_CLIENT_JAVA_HOME=/);
    expect(err.exitCode).toBe(2);
  });

  it('3.4: an older Java in the system JVM dir is used, and said', async () => {
    const r = await clientJava(java17(), v('3.4.13'), path.join(root, 'old'));
    expect(r.javaHome).toBe(path.join(root, 'old', 'java-11'));
    expect(r.note).toMatch(/Java 11\.0\.2/);
  });

  it('3.4: ZKPSEUDO_CLIENT_JAVA_HOME wins, and one too new or missing is an error naming it', async () => {
    const home = path.join(root, 'old', 'java-11');
    expect((await clientJava({ ...java17(), ZKPSEUDO_CLIENT_JAVA_HOME: home }, v('3.4.13'), path.join(root, 'empty-jvm'))).javaHome).toBe(home);
    await expect(clientJava({ ...java17(), ZKPSEUDO_CLIENT_JAVA_HOME: path.join(root, 'jvm', 'temurin-25') }, v('3.4.13'))).rejects.toThrow(/ZKPSEUDO_CLIENT_JAVA_HOME=.*is Java 25/);
    await expect(clientJava({ ...java17(), ZKPSEUDO_CLIENT_JAVA_HOME: path.join(root, 'nowhere') }, v('3.4.13'))).rejects.toThrow(/holds no Java that runs/);
  });

  it('3.4: a JAVA_HOME old enough is used as it is', async () => {
    expect(await clientJava({ JAVA_HOME: path.join(root, 'old', 'java-11'), PATH: '' }, v('3.4.13'), path.join(root, 'empty-jvm'))).toEqual({});
  });
});
