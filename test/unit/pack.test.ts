/** Packing and unpacking trees, including the Debian install packed into an Apache layout. */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tar from 'tar';
import { packDirectory, unpackTarball } from '../../src/tarball/pack.js';
import { findSystemInstall, packSystemInstall } from '../../src/tarball/system.js';
import { sha512OfFile } from '../../src/tarball/download.js';

let root: string;
beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-pack-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe('packDirectory / unpackTarball', () => {
  it('round-trips a tree under a chosen top directory, returning the real digest', async () => {
    const src = path.join(root, 'src');
    await mkdir(path.join(src, 'bin'), { recursive: true });
    await writeFile(path.join(src, 'bin', 'zkServer.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    const tarball = path.join(root, 'a.tar.gz');
    const sha = await packDirectory(src, 'apache-zookeeper-9.9.9-bin', tarball);
    expect(sha).toBe(await sha512OfFile(tarball));
    const names: string[] = [];
    await tar.t({ file: tarball, onReadEntry: (e) => { names.push(e.path); } });
    expect(names).toContain('apache-zookeeper-9.9.9-bin/bin/zkServer.sh');
    const target = path.join(root, 'out');
    await unpackTarball(tarball, target);
    expect(await readFile(path.join(target, 'bin', 'zkServer.sh'), 'utf8')).toContain('echo hi');
    expect((await stat(path.join(target, 'bin', 'zkServer.sh'))).mode & 0o111).not.toBe(0);
    expect(await readdir(root)).not.toContain('out.unpacking');
  });

  it('never writes outside the target, whatever the entries say', async () => {
    const evil = path.join(root, 'evil.tar.gz');
    const stage = path.join(root, 'stage');
    await mkdir(path.join(stage, 'top'), { recursive: true });
    await writeFile(path.join(stage, 'top', 'ok.txt'), 'ok');
    // An entry named top/../../escaped.txt: after the top dir is stripped it points outside.
    await tar.c({ gzip: true, file: evil, cwd: stage, preservePaths: true, onWriteEntry: (e) => { if (e.path.endsWith('ok.txt')) e.path = 'top/../../escaped.txt'; } }, ['top']);
    const target = path.join(root, 'evil-out');
    await unpackTarball(evil, target).catch(() => undefined);
    expect(await stat(path.join(root, 'escaped.txt')).catch(() => null)).toBeNull();
    expect(await stat(path.join(path.dirname(root), 'escaped.txt')).catch(() => null)).toBeNull();
  });

  it('cleans up a leftover half unpack and does it again', async () => {
    const tarball = path.join(root, 'a.tar.gz');
    const target = path.join(root, 'again');
    await mkdir(`${target}.unpacking/junk`, { recursive: true });
    await unpackTarball(tarball, target);
    expect(await readdir(target)).toEqual(['bin']);
  });
});

describe('packSystemInstall (Debian)', () => {
  it('lays the installed ZooKeeper out as Apache does, with logging and a classpath-building zkEnv.sh', async () => {
    const install = await findSystemInstall();
    if (!install) throw new Error('this test needs Debian\'s zookeeper package (apt-get install -y zookeeper)');
    const packed = await packSystemInstall(install, path.join(root, 'cache'));
    const names: string[] = [];
    await tar.t({ file: packed.tarball, onReadEntry: (e) => { names.push(e.path); } });
    const top = `apache-zookeeper-${install.version.text}-bin`;
    for (const needed of ['bin/zkServer.sh', 'bin/zkEnv.sh', 'bin/zkCli.sh', 'conf/log4j.properties', `lib/zookeeper-${install.version.text}.jar`, 'lib/zookeeper-jute.jar', 'lib/netty-handler.jar', 'lib/slf4j-log4j12.jar']) {
      expect(names).toContain(`${top}/${needed}`);
    }
    // Second call: the cached tarball and its recorded digest are reused.
    const again = await packSystemInstall(install, path.join(root, 'cache'));
    expect(again).toEqual(packed);
  });
});

describe('unpackCopies', () => {
  it('builds the shared tree once even when several callers race for it', async () => {
    const { unpackCopies } = await import('../../src/tarball/pack.js');
    const tarball = path.join(root, 'a.tar.gz');
    const tree = path.join(root, 'trees', 'abc');
    await Promise.all([1, 2, 3, 4].map((i) => unpackCopies(tarball, tree, [path.join(root, `race-${i}-a`), path.join(root, `race-${i}-b`)])));
    for (const i of [1, 2, 3, 4]) for (const s of ['a', 'b']) expect(await readdir(path.join(root, `race-${i}-${s}`))).toEqual(['bin']);
    expect((await readdir(path.join(root, 'trees'))).filter((f) => f.includes('unpacking'))).toEqual([]);
  });
});

describe('replacing a copy around its data (a damaged copy, or one moving to another release)', () => {
  it('keeps data/ and logs/ in place, drops the old release\'s files, and says when it was cut short', async () => {
    const { unpackCopies, REPLACING_MARK } = await import('../../src/tarball/pack.js');
    const { copyDamage } = await import('../../src/ensemble/lifecycle/servers.js');
    const { ensemblePaths } = await import('../../src/ensemble/store/layout.js');
    const make = async (name: string, jar: string) => {
      const src = path.join(root, `rel-${name}`);
      await mkdir(path.join(src, 'bin'), { recursive: true });
      await mkdir(path.join(src, 'lib'), { recursive: true });
      for (const script of ['zkServer.sh', 'zkEnv.sh']) await writeFile(path.join(src, 'bin', script), '#!/bin/sh\n', { mode: 0o755 });
      await writeFile(path.join(src, 'lib', jar), 'jar');
      const tarball = path.join(root, `rel-${name}.tar.gz`);
      return { tarball, tree: path.join(root, 'trees', name), sha: await packDirectory(src, `top-${name}`, tarball) };
    };
    const oldRel = await make('old', 'zookeeper-3.8.0.jar');
    const newRel = await make('new', 'zookeeper-3.9.3.jar');
    const home = path.join(root, 'home');
    const sp = ensemblePaths(home, 'e').server(1);
    await unpackCopies(oldRel.tarball, oldRel.tree, [sp.root], { keep: ['data', 'logs'], roots: { tree: root, copies: home } });
    await mkdir(sp.dataDir, { recursive: true });
    await writeFile(path.join(sp.dataDir, 'myid'), '1\n');
    const dataBefore = await stat(sp.dataDir);
    expect(await copyDamage(sp, '3.8.0')).toBeUndefined();

    await unpackCopies(newRel.tarball, newRel.tree, [sp.root], { keep: ['data', 'logs'], roots: { tree: root, copies: home } });
    expect(await readdir(path.join(sp.root, 'lib'))).toEqual(['zookeeper-3.9.3.jar']);
    expect((await stat(sp.dataDir)).ino).toBe(dataBefore.ino);
    expect(await readFile(path.join(sp.dataDir, 'myid'), 'utf8')).toBe('1\n');
    // The record says 3.8.0 but the files are 3.9.3 (an upgrade killed between the two): damaged.
    expect(await copyDamage(sp, '3.8.0')).toBe('it holds ZooKeeper 3.9.3, not 3.8.0 as recorded');
    expect(await copyDamage(sp, '3.9.3')).toBeUndefined();
    // A replacement cut short leaves its mark: damaged, whatever else the copy holds.
    await writeFile(path.join(sp.root, REPLACING_MARK), 'x');
    expect(await copyDamage(sp, '3.9.3')).toBe('an unpack of it was cut short');
  });
});
