/** `cache ls` / `cache clear`: the downloaded and packed tarballs. */
import path from 'node:path';
import { cachedTarballs, clearCache } from '../../tarball/cache.js';
import { cacheDir } from '../../tarball/resolve.js';
import type { CommandContext } from '../context.js';
import { printJson, table } from '../output.js';

export async function cacheLsCommand(c: CommandContext): Promise<number> {
  const dir = cacheDir(c.env);
  const files = await cachedTarballs(dir);
  if (c.o.json) printJson(c.o, { dir, tarballs: files });
  else if (!files.length) c.o.out(`the cache (${dir}) holds no tarballs`);
  else c.o.out(table(['TARBALL', 'SIZE'], files.map((f) => ({ cells: [path.relative(dir, f.file), `${(f.bytes / 1048576).toFixed(1)} MB`] }))));
  return 0;
}

export async function cacheClearCommand(c: CommandContext): Promise<number> {
  const dir = cacheDir(c.env);
  const tarballs = (await cachedTarballs(dir)).length;
  const { removed, kept, inUse } = await clearCache(dir);
  if (c.o.json) printJson(c.o, { dir, removed: tarballs, removedPaths: removed, kept, inUse });
  else if (!c.o.quiet) {
    c.o.out(`removed ${tarballs} tarball(s) and ${removed.length - tarballs} other cache entr${removed.length - tarballs === 1 ? 'y' : 'ies'} from ${dir}; ensembles already unpacked keep working`);
    for (const t of inUse) c.o.out(`kept ${t.tree}: the servers of existing ensembles run from it (${t.users.length} cop${t.users.length === 1 ? 'y' : 'ies'}, e.g. ${t.users[0]}); \`zkpseudo down --purge\` them and clear again to remove it`);
    if (kept.length) c.o.out(`left alone ${kept.length} entr${kept.length === 1 ? 'y' : 'ies'} zkpseudo did not make (e.g. ${kept[0]})`);
  }
  return 0;
}
