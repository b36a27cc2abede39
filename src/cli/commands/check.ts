/** `zkpseudo check`: one line per step; exit 0 only if every step passed. */
import pc from 'picocolors';
import { checkEnsemble } from '../../ensemble/check.js';
import { readSpec } from '../../ensemble/store.js';
import { ExitCode } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { printJson } from '../output.js';

export async function checkCommand(c: CommandContext): Promise<number> {
  const spec = await readSpec(c.paths);
  const result = await checkEnsemble(c.home, spec, (s) => {
    if (c.o.json || c.o.quiet) return;
    c.o.out(`${s.ok ? pc.green('✓') : pc.red('✗')} ${s.name}: ${s.detail} ${pc.dim(`(${s.ms} ms)`)}`);
  });
  if (c.o.json) printJson(c.o, { name: spec.name, ...result });
  else if (!result.ok) c.o.err(`check failed at: ${result.steps.find((s) => !s.ok)?.name ?? 'no step ran'}`);
  return result.ok ? ExitCode.ok : ExitCode.failed;
}
