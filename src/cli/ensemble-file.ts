/** Which ensemble file a command reads: `-f X` as given, a shipped one by name, or ./zkpseudo.yaml. */
import { LOCAL_ENSEMBLE_FILE } from './context.js';
import { packageFile } from '../edge/fs/package-files.js';

/**
 * Where `-f X` points: a path as given; else one of the ensemble files shipped with zkpseudo by
 * name (`three`, `five.yaml`); without -f, ./zkpseudo.yaml when there is one.
 */
export async function ensembleFilePath(file: string | undefined, cwd = process.cwd()): Promise<string | undefined> {
  const { stat } = await import('node:fs/promises');
  const path = await import('node:path');
  const exists = async (p: string) => !!(await stat(p).catch(() => undefined))?.isFile();
  if (file === undefined) {
    const local = path.join(cwd, LOCAL_ENSEMBLE_FILE);
    return (await exists(local)) ? local : undefined;
  }
  if (await exists(path.resolve(cwd, file))) return path.resolve(cwd, file);
  if (!file.includes('/')) {
    const shipped = packageFile('ensembles', file.endsWith('.yaml') ? file : `${file}.yaml`);
    if (await exists(shipped)) return shipped;
  }
  return file;
}
