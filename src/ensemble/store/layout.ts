/** Where an ensemble's files live (pure path arithmetic; SPEC §5), resolved once per command. */
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { canonicalPathSync } from '../../edge/fs/owned-fs.js';
import { pathProblem } from '../../zk/config/path-rules.js';

/**
 * `$ZKPSEUDO_HOME`, else ~/.zkpseudo; an explicit `home` wins over both. Canonical: one
 * directory reached through two spellings (a symlink; `/tmp` and `/private/tmp` on macOS) is
 * one home, so its servers are recognised in the process table whichever spelling is used.
 */
export function homeDir(env: NodeJS.ProcessEnv, home?: string): string {
  return canonicalPathSync(home ?? (env.ZKPSEUDO_HOME || path.join(env.HOME || os.homedir(), '.zkpseudo')));
}

/** homeDir, refused with a UsageError (exit 64) when no server could run under it. */
export function resolveHome(env: NodeJS.ProcessEnv, home?: string): string {
  const dir = homeDir(env, home);
  const problem = pathProblem(dir);
  if (problem) throw new UsageError(`The home dir ${dir} cannot be used: ${problem}.`, 'Point --home (or ZKPSEUDO_HOME) at a directory whose path has no such character.');
  return dir;
}

export interface ServerPaths {
  id: number;
  /** The home the ensemble lives in: the root every change to this server's files stays under. */
  home: string;
  /** The server's full copy of the distribution. */
  root: string;
  bin: string;
  confDir: string;
  config: string;
  dataDir: string;
  myid: string;
  pidFile: string;
  logsDir: string;
}

/** One ensemble's place on disk: the home and name it was resolved from, and every path in it. */
export interface EnsemblePaths {
  home: string;
  name: string;
  dir: string;
  specFile: string;
  /** Who owns the ensemble's lease (`up --owner`), if anyone. */
  ownerFile: string;
  lockTarget: string;
  server(id: number): ServerPaths;
}

export function ensemblePaths(home: string, name: string): EnsemblePaths {
  const dir = path.join(home, name);
  return {
    home,
    name,
    dir,
    specFile: path.join(dir, 'ensemble.yaml'),
    ownerFile: path.join(dir, 'owner.json'),
    lockTarget: dir,
    server(id: number): ServerPaths {
      const root = path.join(dir, `zookeeper-${id}`);
      const dataDir = path.join(root, 'data');
      return {
        id,
        home,
        root,
        bin: path.join(root, 'bin'),
        confDir: path.join(root, 'conf'),
        config: path.join(root, 'conf', 'zoo.cfg'),
        dataDir,
        myid: path.join(dataDir, 'myid'),
        pidFile: path.join(dataDir, 'zookeeper_server.pid'),
        logsDir: path.join(root, 'logs'),
      };
    },
  };
}

/**
 * Which ensemble directory and server id a server's zoo.cfg path belongs to
 * (`<dir>/zookeeper-<id>/conf/zoo.cfg`); undefined for a path of any other shape.
 */
export function serverOfConfig(config: string): { dir: string; id: number } | undefined {
  const m = /^(.+)[/\\]zookeeper-(\d+)[/\\]conf[/\\]zoo\.cfg$/.exec(config);
  return m ? { dir: m[1]!, id: Number(m[2]) } : undefined;
}
