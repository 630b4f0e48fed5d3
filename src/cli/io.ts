/**
 * CLI plumbing shared by the commands: exit codes, argument parsing and the error printer
 * that shows one clear line instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config/config.ts';
import { HivegraphError, StartupError } from '../shared/errors.ts';
import { DataDirLockedError } from '../store/open.ts';

/** Exit codes (sysexits.h where one fits). */
export const ExitCode = {
  OK: 0,
  /** Anything unexpected. */
  FAILURE: 1,
  /** Wrong command line. */
  USAGE: 64,
  /** A named thing (org, user) does not exist or the input is invalid. */
  DATA: 65,
  /** A dependency (database, graph store, port) cannot be used. */
  UNAVAILABLE: 69,
  /** The embedded data directory is in use by another process: try again once it has stopped. */
  TEMPFAIL: 75,
  /** Invalid configuration. */
  CONFIG: 78,
} as const;

/** A wrong command line; printed with the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses `argv` strictly, turning parse failures into {@link UsageError}. */
export function parseCommandArgs<T extends ParseArgsConfig['options']>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Prints an error for a person and returns the exit code to use. */
export function reportError(error: unknown, debug: boolean): number {
  const print = (line: string) => process.stderr.write(`hivegraph: ${line}\n`);
  if (error instanceof UsageError) {
    print(error.message);
    return ExitCode.USAGE;
  }
  if (error instanceof ConfigError) {
    print(error.message);
    return ExitCode.CONFIG;
  }
  if (error instanceof DataDirLockedError) {
    print(error.message);
    return ExitCode.TEMPFAIL;
  }
  if (error instanceof StartupError) {
    print(error.message);
    return error.configuration ? ExitCode.CONFIG : ExitCode.UNAVAILABLE;
  }
  if (error instanceof HivegraphError) {
    print(`${error.code}: ${error.message}`);
    return error.code === 'SERVICE_UNAVAILABLE' ? ExitCode.UNAVAILABLE : ExitCode.DATA;
  }
  print(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else print('(set HIVEGRAPH_LOG_LEVEL=debug for the stack trace)');
  return ExitCode.FAILURE;
}
