// `cache clear` removes only what zkpseudo made, never through a link, and keeps the unpacked
// trees that existing server copies link to; tree-user records are decoded strictly.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearCache } from '../../src/tarball/cache.js';
import { addTreeUser, liveTreeUsers } from '../../src/tarball/tree-users.js';

const DIGEST = 'ab'.repeat(16);
let base: string;
let cache: string;
let user: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-cache-'));
  cache = path.join(base, 'cache');
  user = path.join(base, 'users-own-files');
  await mkdir(path.join(user, 'sub'), { recursive: true });
  await writeFile(path.join(user, 'photos.tar.gz'), 'precious');
  await writeFile(path.join(user, 'sub', 'x.tar.gz.sha512'), 'precious');
  await mkdir(path.join(cache, 'trees', DIGEST, 'bin'), { recursive: true });
  await mkdir(path.join(cache, 'trees', DIGEST, 'lib'), { recursive: true });
  await writeFile(path.join(cache, 'trees', DIGEST, 'bin', 'zkServer.sh'), '#!/bin/sh\n');
});
afterEach(async () => { await rm(base, { recursive: true, force: true }); });

describe('cache clear', () => {
  it('does not follow a symlinked directory inside the cache (system/ → the user\'s files)', async () => {
    await symlink(user, path.join(cache, 'system'));
    await symlink(path.join(user, 'photos.tar.gz'), path.join(cache, 'zookeeper-3.8.0.tar.gz.lock'));
    const result = await clearCache(cache);
    expect(await readFile(path.join(user, 'photos.tar.gz'), 'utf8')).toBe('precious');
    expect(await readFile(path.join(user, 'sub', 'x.tar.gz.sha512'), 'utf8')).toBe('precious');
    expect(result.kept).toContain(path.join(cache, 'system'));
  });

  it('a tree entry that is a link is left alone, and so is what it points at', async () => {
    await symlink(user, path.join(cache, 'trees', 'cd'.repeat(16)));
    await clearCache(cache);
    expect(await readdir(user)).toEqual(['photos.tar.gz', 'sub']);
  });

  it('keeps a tree a live copy links to, removes one nobody uses', async () => {
    const copy = path.join(base, 'home', 'e', 'zookeeper-1');
    await mkdir(copy, { recursive: true });
    await addTreeUser(cache, path.join(cache, 'trees', DIGEST), copy);
    await symlink(path.join(cache, 'trees', DIGEST, 'lib'), path.join(copy, 'lib'));
    const kept = await clearCache(cache);
    expect(kept.inUse).toEqual([{ tree: path.join(cache, 'trees', DIGEST), users: [copy] }]);
    expect(existsSync(path.join(cache, 'trees', DIGEST, 'lib'))).toBe(true);
    await rm(path.join(base, 'home'), { recursive: true });
    const gone = await clearCache(cache);
    expect(gone.inUse).toEqual([]);
    expect(existsSync(cache)).toBe(false);
  });
});

describe('tree-user records are decoded strictly', () => {
  const tree = () => path.join(cache, 'trees', DIGEST);
  const users = () => path.join(`${tree()}.users`);
  const name = (p: string) => createHash('sha256').update(p).digest('hex').slice(0, 32);

  for (const [label, file, content] of [
    ['empty', () => name('/x'), ''],
    ['no newline', () => name('/x'), '/x'],
    ['a relative path', () => name('x/y'), 'x/y\n'],
    ['a name that is not the digest of its content', () => 'ef'.repeat(16), '/x\n'],
    ['a name that climbs out', () => '..', '/x\n'],
    ['binary junk', () => name('/x'), '\u0000\u00ff\u0001\n'],
  ] as const) {
    it(`${label}: counts for nothing and is removed`, async () => {
      await mkdir(users(), { recursive: true });
      // A fresh record of an ensemble that exists would count as an `up` in flight: make one.
      await mkdir(path.join(base, 'x'), { recursive: true });
      const f = file();
      if (f === '..') {
        expect(await liveTreeUsers(cache, tree())).toEqual([]);
        return;
      }
      await writeFile(path.join(users(), f), content);
      expect(await liveTreeUsers(cache, tree())).toEqual([]);
      expect(await readdir(users())).toEqual([]);
    });
  }

  it('a record of a copy being made right now keeps the tree; an old one does not', async () => {
    const copy = path.join(base, 'home', 'e', 'zookeeper-2');
    await mkdir(path.dirname(copy), { recursive: true });
    await addTreeUser(cache, tree(), copy);
    expect(await liveTreeUsers(cache, tree())).toEqual([copy]);
    const old = new Date(Date.now() - 60 * 60_000);
    await utimes(path.join(users(), name(copy)), old, old);
    expect(await liveTreeUsers(cache, tree())).toEqual([]);
  });
});
