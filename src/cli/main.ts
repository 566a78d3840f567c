import { CliFault, EXIT, isFileSystemError } from './cli-fault';

/** Where a subcommand writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Where a command may stream a long answer (process.stdout); without it the answer goes through `out`. */
  readonly outStream?: import('node:stream').Writable;
  /** The directory relative paths are resolved from; default process.cwd(). */
  readonly cwd?: string;
}

/** A subcommand module exports `run`: its arguments (after the subcommand name) → exit code. */
export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;

/** Subcommand → module (relative to this file) and what it does; each module exports `run: CliCommand`. */
const COMMANDS: Readonly<Record<string, { readonly module: string; readonly summary: string }>> = {
  rules: { module: './rules', summary: 'lint, test and diff rule versions (for rule authors)' },
  settle: { module: './settle', summary: 'settle a period from CSV or NDJSON files (for finance)' },
  ledger: { module: './ledger', summary: 'load files into the settlement ledger, close months, list statements, migrate' },
};

/** The exit codes as the usage shows them; the README's "Command line" section says the same. */
export const EXIT_CODES_TEXT = `exit codes: ${EXIT.ok} done, ${EXIT.problems} the input or the rules have problems (listed), ${EXIT.usage} bad usage,
            ${EXIT.files} a file or directory cannot be read or written, ${EXIT.internal} internal error (a bug)`;

const USAGE = `usage: suanpan <command> [options]      (suanpan <command> --help for its options)
commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(8)}${summary}`)
  .join('\n')}
${EXIT_CODES_TEXT}`;

const HELP = new Set(['--help', '-h', 'help']);

const processIo: CliIo = {
  outStream: process.stdout,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * `suanpan <command> …`: dispatches to the command's module. A fault a command reports as a
 * {@link CliFault}, and a file system error, become one line on stderr and their exit code;
 * anything else is a bug (exit 4, the stack only with SUANPAN_DEBUG=1).
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name !== undefined && HELP.has(name)) {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    if (topic === undefined) {
      io.out(USAGE);
      return EXIT.ok;
    }
    return runCommand(topic.module, ['--help'], io);
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    io.err(`${name === undefined ? 'no command given' : `unknown command ${name}`}\n${USAGE}`);
    return EXIT.usage;
  }
  return runCommand(command.module, rest, io);
}

async function runCommand(modulePath: string, args: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = (require(modulePath) as { run: CliCommand }).run;
    return await command(args, io);
  } catch (error) {
    if (error instanceof CliFault) {
      io.err(`suanpan: ${error.message}`);
      return error.exitCode;
    }
    if (isFileSystemError(error)) {
      io.err(`suanpan: ${error.path ?? ''}${error.path === undefined ? '' : ': '}${error.code} ${error.syscall} failed`);
      return EXIT.files;
    }
    io.err(`suanpan: internal error: ${error instanceof Error ? error.message : String(error)}${process.env['SUANPAN_DEBUG'] === '1' && error instanceof Error ? `\n${error.stack}` : ' (SUANPAN_DEBUG=1 shows the stack)'}`);
    return EXIT.internal;
  }
}
