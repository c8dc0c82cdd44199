// The embedded SMTP server: a real smtp-server instance on loopback that accepts every mail without auth and keeps
// each one as an .eml file (the development mailbox reads them). It delivers nothing onward.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SMTPServer } from 'smtp-server';
import { noopLog, type Log } from './log.ts';

export interface StartSmtpOptions {
  /** Where the .eml files go (DATA_DIR/mail). */
  dir: string;
  port: number;
  log?: Log;
  /** Largest accepted mail (default 25 MB). */
  maxBytes?: number;
  /** Tests: refuse some recipients with an SMTP reply (e.g. 550), as a relay would. */
  rejectRecipient?: (address: string) => { code: number; message: string } | undefined;
}

export interface SmtpHandle {
  url: string;
  stop(): Promise<void>;
}

/** Starts the server on 127.0.0.1 only: it accepts mail from anyone who can reach it. */
export async function startSmtp(options: StartSmtpOptions): Promise<SmtpHandle> {
  const log = options.log ?? noopLog;
  await mkdir(options.dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxBytes ?? 25 * 1024 * 1024,
    banner: 'ARVlite development SMTP server (stores mail, delivers nothing)',
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = options.rejectRecipient?.(address.address);
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      // Sortable by arrival: time first, then a random suffix.
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      // Written under a temporary name and renamed once whole: a reader (the mailbox, a test) never sees half a mail.
      const file = path.join(options.dir, name);
      const partial = `${file}.partial`;
      pipeline(stream, createWriteStream(partial, { mode: 0o600 }))
        .then(async () => {
          if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
            await rm(partial, { force: true });
            return callback(new Error('Message too large'));
          }
          await rename(partial, file);
          log('debug', `mail stored as ${name}`);
          callback(null, `stored as ${name}`);
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log('warn', `SMTP server: ${err.message}`));
  return {
    url: `smtp://127.0.0.1:${options.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface StoredMail {
  /** The .eml file name (sortable by arrival). */
  file: string;
  raw: Buffer;
}

/** Mails the embedded server stored, oldest first (the tests parse them with mailparser). */
export async function readStoredMails(dir: string): Promise<StoredMail[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  return Promise.all(files.map(async (file) => ({ file, raw: await readFile(path.join(dir, file)) })));
}
