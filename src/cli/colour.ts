/**
 * Whether to colour output, decided once (pure given its inputs): FORCE_COLOR=1/2/3 forces it;
 * NO_COLOR, FORCE_COLOR=0 and --no-color turn it off; otherwise only a real terminal that is
 * not TERM=dumb gets colour. Unlike picocolors' own guess, a CI variable alone never turns it
 * on: CI logs and pipes get plain text.
 */
import { ownWords } from './argv.js';
import pc from 'picocolors';

export function colourWanted(env: NodeJS.ProcessEnv, argv: string[], isTTY: boolean): boolean {
  if (argv.includes('--no-color') || argv.includes('--no-colour')) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}

type Colours = ReturnType<typeof pc.createColors>;
let forStdout: Colours | undefined;
let forStderr: Colours | undefined;

/** Colours for what goes to stdout (tables, status); decided on first use, not at import. */
export function paint(): Colours {
  return (forStdout ??= pc.createColors(colourWanted(process.env, ownWords(process.argv), !!process.stdout.isTTY)));
}

/** Colours for what goes to stderr (the live display, notices). */
export function paintErr(): Colours {
  return (forStderr ??= pc.createColors(colourWanted(process.env, ownWords(process.argv), !!process.stderr.isTTY)));
}
