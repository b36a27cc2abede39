/** Finding the package's own files from either build, and the cache dir without env-paths (issue 20). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helperScript, packageFile, packageRoot } from '../../src/edge/fs/package-files.js';
import { userCacheDir } from '../../src/tarball/resolve.js';

const repo = path.resolve(import.meta.dirname, '../..');

describe('package files', () => {
  it('are found from the sources as from a build: the root holds zkpseudo\'s package.json; helpers run from dist/', () => {
    expect(packageRoot()).toBe(repo);
    expect(packageFile('templates', 'zoo.cfg.hbs')).toBe(path.join(repo, 'templates', 'zoo.cfg.hbs'));
    expect(helperScript('ensemble/lease/watcher-main.js')).toBe(path.join(repo, 'dist', 'ensemble', 'lease', 'watcher-main.js'));
  });
});

describe('the user cache dir', () => {
  it('is where env-paths put it, on each platform, from the env given', () => {
    expect(userCacheDir({ HOME: '/h' }, 'linux')).toBe('/h/.cache/zkpseudo');
    expect(userCacheDir({ HOME: '/h', XDG_CACHE_HOME: '/x' }, 'linux')).toBe('/x/zkpseudo');
    expect(userCacheDir({ HOME: '/h' }, 'darwin')).toBe('/h/Library/Caches/zkpseudo');
    expect(userCacheDir({ HOME: '/h', LOCALAPPDATA: '/l' }, 'win32')).toBe(path.join('/l', 'zkpseudo', 'Cache'));
  });
});
