/** `cache ls` / `cache clear`: the downloaded and packed tarballs. */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from '../../tarball/resolve.js';
import type { CommandContext } from '../context.js';
import { printJson, table } from '../output.js';

async function tarballs(dir: string): Promise<{ file: string; bytes: number }[]> {
  const out: { file: string; bytes: number }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await tarballs(full)));
    else if (e.name.endsWith('.tar.gz')) out.push({ file: full, bytes: (await stat(full)).size });
  }
  return out;
}

export async function cacheLsCommand(c: CommandContext): Promise<number> {
  const dir = cacheDir(c.env);
  const files = await tarballs(dir);
  if (c.o.json) printJson(c.o, { dir, tarballs: files });
  else if (!files.length) c.o.out(`the cache (${dir}) is empty`);
  else c.o.out(table(['TARBALL', 'SIZE'], files.map((f) => ({ cells: [path.relative(dir, f.file), `${(f.bytes / 1048576).toFixed(1)} MB`] }))));
  return 0;
}

export async function cacheClearCommand(c: CommandContext): Promise<number> {
  const dir = cacheDir(c.env);
  const files = await tarballs(dir);
  await rm(dir, { recursive: true, force: true });
  if (c.o.json) printJson(c.o, { dir, removed: files.length });
  else if (!c.o.quiet) c.o.out(`removed ${files.length} tarball(s) from ${dir}; ensembles already unpacked keep working`);
  return 0;
}
