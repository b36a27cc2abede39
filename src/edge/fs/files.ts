/** Small file-system questions asked in several places. */
import { stat } from 'node:fs/promises';

/** True when something exists at `p` (a file, a directory, anything stat can see). */
export function pathExists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
