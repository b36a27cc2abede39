/** Where an ensemble's files live (pure path arithmetic; SPEC §5). */
import os from 'node:os';
import path from 'node:path';

/** `$ZKPSEUDO_HOME`, else ~/.zkpseudo; an explicit `home` wins over both. */
export function homeDir(env: NodeJS.ProcessEnv, home?: string): string {
  return path.resolve(home ?? (env.ZKPSEUDO_HOME || path.join(env.HOME || os.homedir(), '.zkpseudo')));
}

export interface ServerPaths {
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

export interface EnsemblePaths {
  dir: string;
  specFile: string;
  lockTarget: string;
  server(id: number): ServerPaths;
}

export function ensemblePaths(home: string, name: string): EnsemblePaths {
  const dir = path.join(home, name);
  return {
    dir,
    specFile: path.join(dir, 'ensemble.yaml'),
    lockTarget: dir,
    server(id: number): ServerPaths {
      const root = path.join(dir, `zookeeper-${id}`);
      const dataDir = path.join(root, 'data');
      return {
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
