/**
 * `zpass completion bash|zsh|fish`: completion scripts generated from the command tree itself,
 * so a new command or option completes without anyone editing a script.
 */
import { Argument, type Command } from 'commander';
import { examples } from './io.js';

interface Node {
  /** Subcommand path, e.g. "users password". Empty for the top level. */
  path: string;
  words: string[];
}

function nodes(cmd: Command, path: string[] = []): Node[] {
  const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const options = cmd.options.filter((o) => !o.hidden && o.long).map((o) => o.long!);
  const words = [...visible.map((c) => c.name()), ...options, '--help'];
  return [{ path: path.join(' '), words }, ...visible.flatMap((c) => nodes(c, [...path, c.name()]))];
}

function bash(program: Command): string {
  const cases = nodes(program)
    .map((n) => `    "${n.path}") words="${n.words.join(' ')}" ;;`)
    .join('\n');
  const names = [
    ...new Set(
      nodes(program)
        .flatMap((n) => n.path.split(' '))
        .filter(Boolean),
    ),
  ];
  return `# zpass completion for bash; load with:  source <(zpass completion bash)
_zpass() {
  local cur path="" w i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case " ${names.join(' ')} " in
      *" $w "*) path="\${path:+$path }$w" ;;
    esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _zpass zpass
`;
}

function zsh(program: Command): string {
  return `#compdef zpass
# zpass completion for zsh; load with:  source <(zpass completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(program).split('\n').slice(1).join('\n')}`;
}

function fish(program: Command): string {
  const lines = ['# zpass completion for fish; load with:  zpass completion fish | source'];
  for (const n of nodes(program)) {
    const path = n.path ? n.path.split(' ') : [];
    const cond = path.length ? `__fish_seen_subcommand_from ${path.at(-1)}` : '__fish_use_subcommand';
    for (const w of n.words) {
      if (w.startsWith('--')) lines.push(`complete -c zpass -n '${cond}' -l ${w.slice(2)}`);
      else lines.push(`complete -c zpass -f -n '${cond}' -a ${w}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples([
        'source <(zpass completion bash)              # in ~/.bashrc',
        'source <(zpass completion zsh)               # in ~/.zshrc',
        'zpass completion fish > ~/.config/fish/completions/zpass.fish',
      ]),
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const script = { bash, zsh, fish }[shell](program);
      process.stdout.write(script);
    });
}
