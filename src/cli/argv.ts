/** Rewriting the command line before it is parsed (pure). */

/** Global options that take a value (so the word after them is not a command). */
const VALUE_OPTIONS = new Set(['-n', '--name', '--home']);

/**
 * `zkpseudo cli ID ARGS…` hands ARGS to zkCli.sh untouched (`cli 2 ls -R /`): a `--` is put
 * after the id so the parser takes none of them for its own options. `cli -- CMD…` and
 * `cli all …` run against the whole connect string.
 */
export function passThroughCli(argv: string[]): string[] {
  const words = argv.slice(2);
  let i = 0;
  while (i < words.length && words[i]!.startsWith('-')) i += VALUE_OPTIONS.has(words[i]!) ? 2 : 1;
  if (words[i] !== 'cli') return argv;
  let j = i + 1;
  while (j < words.length && words[j]!.startsWith('-') && words[j] !== '--') j += VALUE_OPTIONS.has(words[j]!) ? 2 : 1;
  if (j >= words.length) return argv;
  const rest = words[j] === '--' ? ['all', '--', ...words.slice(j + 1)] : [words[j]!, '--', ...words.slice(j + 1).filter((w, k) => !(k === 0 && w === '--'))];
  return [...argv.slice(0, 2), ...words.slice(0, j), ...rest];
}

