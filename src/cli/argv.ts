/** Rewriting the command line before it is parsed (pure). */

/** Global options that take a value (so the word after them is not a command). */
const VALUE_OPTIONS = new Set(['-n', '--name', '--home']);

/**
 * zkpseudo's own global options without a value, as taken after `cli`'s arguments. Only the
 * long forms: zkCli.sh has short options of its own (`setquota -n 10 /x`).
 */
const FLAG_OPTIONS = new Set(['--json', '--quiet', '--no-color', '--debug']);
const VALUE_OPTIONS_AFTER_CLI = new Set(['--name', '--home']);

/** The words of a server selector: the first argument of `cli` only when it is one of these. */
const SELECTOR = /^(\d{1,3}|leader|all)$/;

/** The number of words a global option at `words[i]` takes (0 when it is not one of zkpseudo's). */
function globalAt(words: string[], i: number): number {
  const w = words[i]!;
  if (FLAG_OPTIONS.has(w)) return 1;
  if (VALUE_OPTIONS_AFTER_CLI.has(w)) return i + 1 < words.length ? 2 : 1;
  if (/^(--name|--home)=/.test(w)) return 1;
  return 0;
}

/**
 * `zkpseudo cli [ID] ARGS…` hands ARGS to zkCli.sh untouched (`cli 2 ls -R /`), except
 * zkpseudo's own global options (--name, --home, --json, --quiet, --no-color, --debug), which
 * are taken wherever they stand unless after a `--`. The first argument is the server only when
 * it is a server id, `leader` or `all`; otherwise (`cli get /x`), or after `cli --`, every
 * argument goes to zkCli.sh on the whole connect string. The result is `… cli ID -- ARGS…`,
 * with the global options moved before `cli`, so the parser takes none of ARGS for its own.
 */
export function passThroughCli(argv: string[]): string[] {
  const words = argv.slice(2);
  let i = 0;
  while (i < words.length && words[i]!.startsWith('-') && words[i] !== '--') i += VALUE_OPTIONS.has(words[i]!) ? 2 : 1;
  if (words[i] !== 'cli') return argv;
  const globals: string[] = [];
  const rest: string[] = [];
  let j = i + 1;
  for (; j < words.length && words[j] !== '--'; ) {
    const n = globalAt(words, j);
    if (n) globals.push(...words.slice(j, j + n));
    else rest.push(words[j]!);
    j += n || 1;
  }
  // After `--`, everything is zkCli.sh's, untouched.
  const after = j < words.length ? words.slice(j + 1) : [];
  const head = [...argv.slice(0, 2), ...words.slice(0, i), ...globals, 'cli'];
  // `cli --help` (and `cli -h`) is zkpseudo's help for `cli`, when nothing else was given.
  if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h') && !after.length) return [...head, rest[0]];
  if (!rest.length && j >= words.length) return head;
  const id = rest[0] !== undefined && SELECTOR.test(rest[0]) ? rest.shift()! : 'all';
  return [...head, id, '--', ...rest, ...after];
}

/** The part of the command line zkpseudo reads itself: everything before a `--`. */
export function ownWords(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}
