// The one logger factory of the server and the worker: JSON lines, or pino-pretty's readable lines in development.
import { pino, type Logger, type LoggerOptions } from 'pino';
import PinoPretty from 'pino-pretty';

export interface LoggerSettings {
  service: string;
  level: string;
  env: 'development' | 'production' | 'test';
  /** LOG_PRETTY: readable lines even when stdout is not a terminal (never in production). */
  pretty: boolean;
  redact?: LoggerOptions['redact'];
}

/** Readable lines only outside production, and only for a terminal or when asked (LOG_PRETTY=1); JSON otherwise. */
export function wantsPrettyLogs(s: Pick<LoggerSettings, 'env' | 'pretty'>, isTty = process.stdout.isTTY === true) {
  return s.env !== 'production' && (isTty || s.pretty);
}

export function createLogger(s: LoggerSettings): Logger {
  const options: LoggerOptions = { level: s.level, base: { service: s.service }, redact: s.redact };
  if (!wantsPrettyLogs(s)) return pino(options);
  // In-process and synchronous (no transport thread): nothing is lost when the process exits right after a line.
  return pino(
    options,
    PinoPretty({
      sync: true,
      colorize: process.stdout.isTTY === true,
      ignore: 'pid,hostname',
      translateTime: 'SYS:HH:MM:ss.l',
    }),
  );
}
