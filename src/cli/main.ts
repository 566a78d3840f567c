/** Where a subcommand writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** The directory relative paths are resolved from; default process.cwd(). */
  readonly cwd?: string;
}

/** A subcommand module exports `run`: its arguments (after the subcommand name) → exit code. */
export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;

/** Subcommand → module (relative to this file); each module exports `run: CliCommand`. */
const COMMANDS: Readonly<Record<string, string>> = {
  rules: './rules',
  settle: './settle',
};

const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * `suanpan <command> …`: dispatches to the command's module. Exit codes: 0 success, 1 the
 * command found problems, 2 bad usage.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  const modulePath = name === undefined ? undefined : COMMANDS[name];
  if (modulePath === undefined) {
    io.err(`usage: suanpan <command> …\ncommands: ${Object.keys(COMMANDS).sort().join(', ')}`);
    return 2;
  }
  const command = (require(modulePath) as { run: CliCommand }).run;
  return command(rest, io);
}
