/**
 * Throwaway ensembles: what the library's `up()` makes unless asked to reuse one. Each has a
 * name no other run picks — `tmp-<pid>-<random>`, the pid of the process that made it — so two
 * test runs at once never meet and a crashed run's data is never resumed by the next. A run that
 * crashed cannot delete its own; the next throwaway `up()` does, once that process is gone.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { isAlive } from '../../edge/process/process.js';
import { lockHolder } from '../../edge/lock/lock.js';
import { zkpseudoServersByDir } from '../observe/identity.js';
import { ensemblePaths } from '../store/layout.js';
import { downEnsemble } from './ops.js';

const THROWAWAY_NAME = /^tmp-(\d{1,10})-[0-9a-f]{6}$/;

/** A fresh throwaway name for this process. */
export function throwawayName(pid = process.pid): string {
  return `tmp-${pid}-${randomBytes(3).toString('hex')}`;
}

/** The pid of the process that made a throwaway ensemble, or undefined for any other name. */
export function throwawayCreator(name: string): number | undefined {
  const m = THROWAWAY_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Deletes the throwaway ensembles under `home` whose creator has exited, none of whose servers
 * runs (its owner lease stopped them) and which no command holds; returns their names. One
 * whose creator still runs is left alone, whatever state it is in: it may be mid-test.
 */
export async function sweepThrowaways(home: string, env: NodeJS.ProcessEnv, onNotice?: (text: string) => void): Promise<string[]> {
  const names = (await readdir(home).catch(() => [] as string[])).filter((n) => throwawayCreator(n) !== undefined);
  const orphans: string[] = [];
  for (const name of names) if (!(await isAlive(throwawayCreator(name)!))) orphans.push(name);
  if (!orphans.length) return [];
  const running = await zkpseudoServersByDir();
  const swept: string[] = [];
  for (const name of orphans) {
    const paths = ensemblePaths(home, name);
    if (running.has(paths.dir) || (await lockHolder(paths.lockTarget))) continue;
    try {
      await downEnsemble({ paths, env }, { purge: true });
      swept.push(name);
      onNotice?.(`removed throwaway ensemble "${name}", left by pid ${throwawayCreator(name)}, which has exited`);
    } catch {
      // Not ours to fight over: it stays for `zkpseudo ls` and `down --purge` to show and remove.
    }
  }
  return swept;
}
