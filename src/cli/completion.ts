/**
 * Shell completion scripts, generated from the command tree itself so they never drift from
 * it: commands, their subcommands and options, and the global options (pure).
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

interface Entry {
  name: string;
  description: string;
  options: { flag: string; description: string }[];
  subcommands: Entry[];
}

function entry(cmd: Command): Entry {
  return {
    name: cmd.name(),
    description: cmd.description(),
    options: cmd.options.map((o) => ({ flag: o.long ?? o.short ?? '', description: o.description })).filter((o) => o.flag),
    subcommands: cmd.commands.map(entry),
  };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(root: Entry): string {
  const globals = root.options.map((o) => o.flag).join(' ');
  const cases = root.subcommands.map((c) => {
    const words = [...c.subcommands.map((s) => s.name), ...c.options.map((o) => o.flag), '--help'].join(' ');
    return `    ${c.name}) words=${quote(`${words} ${globals}`)} ;;`;
  }).join('\n');
  return `# zkpseudo completion for bash: source <(zkpseudo completion bash)
_zkpseudo() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -n|--name|--home) ((i++)) ;; -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$cmd" in
    "") words=${quote(`${root.subcommands.map((c) => c.name).join(' ')} ${globals} --help`)} ;;
${cases}
    *) words=${quote(globals)} ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _zkpseudo zkpseudo
`;
}

function zsh(root: Entry): string {
  // zsh runs the bash function through bashcompinit, which every zsh ships.
  return `#compdef zkpseudo
# zkpseudo completion for zsh: source <(zkpseudo completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(root).split('\n').slice(1).join('\n')}`;
}

function fish(root: Entry): string {
  const lines = ['# zkpseudo completion for fish: zkpseudo completion fish > ~/.config/fish/completions/zkpseudo.fish', 'complete -c zkpseudo -f'];
  for (const o of root.options) lines.push(`complete -c zkpseudo -l ${o.flag.replace(/^--?/, '')} -d ${quote(o.description)}`);
  for (const c of root.subcommands) {
    lines.push(`complete -c zkpseudo -n __fish_use_subcommand -a ${c.name} -d ${quote(c.description)}`);
    for (const s of c.subcommands) lines.push(`complete -c zkpseudo -n '__fish_seen_subcommand_from ${c.name}' -a ${s.name} -d ${quote(s.description)}`);
    for (const o of c.options) lines.push(`complete -c zkpseudo -n '__fish_seen_subcommand_from ${c.name}' -l ${o.flag.replace(/^--?/, '')} -d ${quote(o.description)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: string, program: Command): string {
  const root = entry(program);
  if (shell === 'bash') return bash(root);
  if (shell === 'zsh') return zsh(root);
  if (shell === 'fish') return fish(root);
  throw new UsageError(`completion: "${shell}" is not a shell zkpseudo knows.`, 'Use bash, zsh or fish.');
}
