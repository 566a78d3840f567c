import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** The exit codes of every `suanpan` command (README, "Command line"). */
export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** The input or the rules have problems; each is listed on stderr (or in the report). */
  problems: 1,
  /** Bad usage: unknown option, missing argument, an agreement to name. */
  usage: 2,
  /** A file or directory cannot be read or written (missing input, --out in a missing folder, no rules directory). */
  files: 3,
  /** A bug: the message is on stderr; SUANPAN_DEBUG=1 adds the stack. */
  internal: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A fault the command reports as one line on stderr and exits with `exitCode`. */
export class CliFault extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliFault';
  }
}

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

/** A file system error as one line naming the file and its role, e.g. "--transactions tx.csv: no such file or directory". */
export function fileFault(error: unknown, role: string, file: string): CliFault {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why = code === undefined ? (error instanceof Error ? error.message : String(error)) : (ERRNO_WORDS[code] ?? `${code}`);
  return new CliFault(`${role} ${file}: ${why}`, EXIT.files);
}

/** True when `error` comes from the file system (it has an errno code such as ENOENT). */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** Throws a CliFault unless `file` is a readable file. */
export function assertReadableFile(role: string, file: string): void {
  try {
    if (statSync(file).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw fileFault(error, role, file);
  }
}

/** Throws a CliFault unless `file` can be created or replaced (its folder exists and is writable). */
export function assertWritableFile(role: string, file: string): void {
  const folder = path.dirname(file);
  try {
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw fileFault(error, role, file);
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch {
    // absent: it will be created
  }
  if (isDirectory) throw fileFault({ code: 'EISDIR' }, role, file);
}

/** Throws a CliFault unless `dir` is a directory (the rules directory of a command). */
export function assertRulesDir(role: string, dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw fileFault(error, role, dir);
  }
  const holdsSchema = (() => {
    try {
      return statSync(path.join(dir, 'schema')).isDirectory();
    } catch {
      return false;
    }
  })();
  if (!isDirectory || !holdsSchema) throw new CliFault(`${role} ${dir}: not a rules directory (one holds schema/ and a folder per agreement)`, EXIT.files);
}
