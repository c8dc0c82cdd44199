import type { Command } from 'commander';
import type { z } from 'zod';

/** The command failed or refused; nothing was half-applied (exit 1). */
export class CliError extends Error {
  override name = 'CliError';
}

/** Bad arguments (exit 2, with the command's help). */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly command: Command;
  constructor(command: Command, message: string) {
    super(message);
    this.command = command;
  }
}

/** Parses a command's arguments with a zod schema; a failure is a usage error naming each bad argument. */
export function parseArgs<S extends z.ZodType>(command: Command, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new UsageError(
    command,
    parsed.error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; '),
  );
}
