export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Minimal logging hook used throughout dev-services. */
export type Log = (level: LogLevel, message: string) => void;

const order: Record<string, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
  fatal: 5,
  silent: 6,
};

export const noopLog: Log = () => {};

/**
 * A Log that writes lines to stderr (stdout is reserved for machine-readable output in the
 * services CLI). `minLevel` accepts any LOG_LEVEL value from @arvlite/config.
 */
export function createStderrLog(minLevel: string, prefix: string): Log {
  const min = order[minLevel] ?? order.info!;
  return (level, message) => {
    if (order[level]! < min) return;
    const tag = level === 'info' ? '' : `${level}: `;
    for (const line of message.replace(/\s+$/, '').split('\n')) {
      process.stderr.write(`${prefix}${tag}${line}\n`);
    }
  };
}
