import { isIP } from 'node:net';
import { z } from 'zod';

const MiB = 1024 * 1024;

/** Secrets that were once written in this repository: refused in every environment, since anyone can sign with them. */
const PUBLIC_SECRETS = ['arvlite-insecure-development-secret-change-me'];
const GiB = 1024 * MiB;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(min, { message: `expected at least ${min}` })
    .max(max, { message: `expected at most ${max}` });

const url = (protocols: RegExp) =>
  z
    .string()
    .max(2048)
    .refine(
      (v) => {
        try {
          return protocols.test(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: `expected a URL (${protocols.source.replaceAll('\\', '')})` },
    );

/** An IPv4/IPv6 address, optionally with a /prefix, or one of proxy-addr's names for private ranges. */
function isAddressOrCidr(v: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(v)) return true;
  const [address = '', prefix, ...rest] = v.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies in front may set X-Forwarded-For: `false`, a number of hops (1 = one load balancer), or their
 * addresses/CIDRs. Never a blanket `true`: that lets any client choose the address its rate limits count against.
 */
const trustProxy = z
  .string()
  .max(4096)
  .transform((v, ctx): false | number | string[] => {
    if (v === 'false') return false;
    if (/^[0-9]+$/.test(v)) {
      const hops = Number(v);
      if (hops >= 1 && hops <= 10) return hops;
    } else {
      const entries = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (entries.length > 0 && entries.every(isAddressOrCidr)) return entries;
    }
    ctx.addIssue({
      code: 'custom',
      message:
        "expected false, a number of proxy hops (1 to 10) or the proxies' addresses/CIDRs, comma-separated (`true` would trust any client's X-Forwarded-For)",
    });
    return z.NEVER;
  });

const list = z
  .string()
  .max(8192)
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** Every environment variable ARVlite reads, with its default. README's table mirrors this. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  HOST: z.string().max(255).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: url(/^https?:$/).optional(),
  CORS_ORIGINS: list.default([]),
  TRUST_PROXY: trustProxy.default(false),

  DATA_DIR: z.string().max(4096).default('.data'),
  DATABASE_URL: url(/^postgres(ql)?:$/).optional(),
  DATABASE_POOL_MAX: int(1, 500).default(10),
  DATABASE_ACQUIRE_TIMEOUT_MS: int(100, 600_000).default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  DEV_POSTGRES_PORT: int(1, 65535).default(54329),
  DEV_S3_PORT: int(1, 65535).default(54330),

  S3_ENDPOINT: url(/^https?:$/).optional(),
  S3_PUBLIC_ENDPOINT: url(/^https?:$/).optional(),
  S3_REGION: z.string().max(64).default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'expected an S3 bucket name' })
    .default('arvlite'),
  S3_ACCESS_KEY_ID: z.string().max(256).default('S3RVER'),
  S3_SECRET_ACCESS_KEY: z.string().max(256).default('S3RVER'),
  S3_FORCE_PATH_STYLE: bool.default(true),
  /** Where local-disk storage keeps objects (STORAGE_PROVIDER=local); default DATA_DIR/objects. */
  LOCAL_STORAGE_DIR: z.string().max(4096).optional(),
  /** Where objects live: an S3-compatible store (S3_*), Azure Blob Storage (AZURE_STORAGE_*) or the local disk. */
  STORAGE_PROVIDER: z.enum(['s3', 'azure', 'local']).default('s3'),
  /** The Blob service endpoint, e.g. https://<account>.blob.core.windows.net (Azurite: http://127.0.0.1:<port>/<account>). */
  AZURE_STORAGE_ENDPOINT: url(/^https?:$/).optional(),
  /** The endpoint browsers and phones reach (SAS URLs point there); default AZURE_STORAGE_ENDPOINT. */
  AZURE_STORAGE_PUBLIC_ENDPOINT: url(/^https?:$/).optional(),
  AZURE_STORAGE_ACCOUNT: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, { message: 'expected an Azure storage account name (3-24 a-z, 0-9)' })
    .optional(),
  /** The account key (base64); no default (tests run Azurite with a random key of their own). */
  AZURE_STORAGE_KEY: z
    .string()
    .max(256)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, { message: 'expected a base64 account key' })
    .optional(),
  AZURE_STORAGE_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, { message: 'expected an Azure container name' })
    .default('arvlite'),

  WORKER_CONCURRENCY: int(1, 64).default(4),
  WORKER_HEARTBEAT_INTERVAL_MS: int(1000, 3_600_000).default(5000),
  WORKER_DEAD_AFTER_MS: int(3000, 86_400_000).default(30_000),
  WORKER_POLL_INTERVAL_MS: int(100, 60_000).default(2000),
  /** Task names this worker runs (empty: all), e.g. to keep encodes on dedicated machines. */
  WORKER_TASKS: list.default([]),

  /** The root secret: keys for tokens, /media signatures and viewer hashes are derived from it (see index.ts). */
  AUTH_JWT_SECRET: z
    .string()
    .min(32, { message: 'expected at least 32 characters' })
    .max(512)
    .refine((v) => !PUBLIC_SECRETS.includes(v), {
      message: 'is a public value (it was written in the repository); use 32 or more random characters',
    })
    .optional(),
  /** Bearer token that shows health details (workers, hostnames, latencies); unset: nobody sees them. Kept hashed. */
  OPERATOR_TOKEN: z.string().min(32, { message: 'expected at least 32 characters' }).max(512).optional(),
  AUTH_ACCESS_TOKEN_TTL_S: int(60, 3600).default(900),
  AUTH_REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
  AUTH_SESSION_MAX_DAYS: int(1, 3650).default(90),
  AUTH_INVITE_TTL_HOURS: int(1, 24 * 30).default(72),
  /** JSON array of OpenID Connect providers: [{"id","issuer"?,"preset"?: "yandex","clientId","clientSecret"?,"scopes"?}] */
  OIDC_PROVIDERS: z
    .string()
    .max(16_384)
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON array' });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(
          z.strictObject({
            id: z.string().regex(/^[a-z0-9-]{1,32}$/),
            preset: z.enum(['yandex']).optional(),
            issuer: z.url().max(2048).optional(),
            clientId: z.string().min(1).max(512),
            clientSecret: z.string().max(512).optional(),
            scopes: z.array(z.string().max(100)).max(20).optional(),
            label: z.string().max(100).optional(),
            allowInsecure: z.boolean().optional(),
          }),
        )
        .max(10),
    )
    .default([]),
  COMPANY_DEFAULT_QUOTA_BYTES: int(0, Number.MAX_SAFE_INTEGER).default(10 * GiB),
  /** Companies one user may create (each comes with a fresh quota). */
  COMPANY_MAX_PER_USER: int(1, 10_000).default(5),
  DEFAULT_TIMEZONE: z.string().max(64).default('UTC'),

  FFMPEG_PATH: z.string().max(4096).optional(),
  FFPROBE_PATH: z.string().max(4096).optional(),
  /** Encodes one worker process runs at once; default one per two cores. */
  MEDIA_ENCODE_CONCURRENCY: int(1, 64).optional(),
  MEDIA_X264_PRESET: z
    .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'])
    .default('veryfast'),
  MEDIA_ANALYZERS: list.default(['scenes', 'loudness', 'silence-black']),
  MEDIA_EXTERNAL_ANALYZER_URL: url(/^https?:$/).optional(),
  /** The analyzer URL may be on a private network (loopback, RFC 1918, unique-local); metadata addresses never. */
  MEDIA_EXTERNAL_ANALYZER_ALLOW_PRIVATE: bool.default(false),
  MEDIA_SCRATCH_DIR: z.string().max(4096).optional(),
  /**
   * Clips up to this long (seconds) get the rest of their ladder, poster and storyboard from one ffmpeg pass in one
   * job; longer ones one job per rung, which several workers can share. 0: always one job per rung.
   */
  MEDIA_LADDER_ONE_PASS_MAX_S: int(0, 7 * 86_400).default(600),
  MEDIA_PROCESS_LAUNCHER: bool.default(true),
  /** Originals a worker keeps on its scratch disk for its next jobs of the same video (0: none). */
  MEDIA_ORIGINAL_CACHE_BYTES: int(0, Number.MAX_SAFE_INTEGER).default(1024 ** 3),
  MEDIA_PUBLIC_BASE_URL: url(/^https?:$/).optional(),
  /** Lifetime of signed playback URLs; /media refuses signatures that claim longer. */
  MEDIA_URL_TTL_S: int(60, 86_400).default(6 * 3600),
  MEDIA_JOB_MAX_ATTEMPTS: int(1, 25).default(3),
  MEDIA_JOB_TRANSIENT_ATTEMPTS: int(1, 25).default(10),
  /** Media jobs of one company that run at once across all workers (its own graphile-worker queues). */
  MEDIA_COMPANY_CONCURRENCY: int(1, 64).default(2),
  /** Wall-clock limit of one ffmpeg/ffprobe run; past it the run is killed and the video fails. */
  MEDIA_FFMPEG_TIMEOUT_S: int(10, 7 * 86_400).default(2 * 3600),
  /** Longest video accepted (seconds), checked at probe. */
  MEDIA_MAX_DURATION_S: int(1, 7 * 86_400).default(3600),
  /** Largest width × height × frames per second accepted, checked at probe (default 4K at 60 fps). */
  MEDIA_MAX_PIXEL_RATE: int(1, Number.MAX_SAFE_INTEGER).default(3840 * 2160 * 60),
  /** `video.reprocess` calls per company per hour. */
  VIDEO_REPROCESS_PER_HOUR: int(1, 1_000_000).default(30),

  UPLOAD_MAX_BYTES: int(1, 5 * 1024 * GiB).default(5 * GiB),
  UPLOAD_MULTIPART_THRESHOLD_BYTES: int(5 * MiB, 5 * GiB).default(64 * MiB),
  UPLOAD_PART_SIZE_BYTES: int(5 * MiB, 5 * GiB).default(16 * MiB),
  UPLOAD_SESSION_TTL_HOURS: int(1, 24 * 7).default(24),
  /** Lifetime of a presigned upload URL (a PUT or a part); clients sign again on resume. */
  UPLOAD_URL_TTL_S: int(60, 3600).default(900),

  /** Marker compiles one worker process runs at once (each takes seconds of CPU and about 300 MB). */
  MARKER_COMPILE_CONCURRENCY: int(1, 16).default(1),
  /**
   * Seeded camera views per condition in a marker's detection report (its CPU grows with it; rates are in steps of
   * 1/N). The publish gate always uses the harness's own count.
   */
  MARKER_REPORT_SAMPLES: int(1, 100).default(5),
  /** Public viewer calls (manifest, sessions) per client IP per minute. */
  VIEWER_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(120),
  /** Calls one API key may make per minute (tRPC and REST together). */
  API_KEY_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  /** A view session not ended within this time is closed as abandoned. */
  VIEWER_SESSION_TIMEOUT_MINUTES: int(5, 24 * 60).default(60),

  /** SMTP relay (smtp:// or smtps://, credentials in the URL); unset: the embedded SMTP server of the dev services. */
  SMTP_URL: url(/^smtps?:$/).optional(),
  /** The From of every mail: an address, or `Name <address>`. One line. */
  MAIL_FROM: z
    .string()
    .max(320)
    .regex(/^[^\r\n]+$/, { message: 'must be one line' })
    .default('ARVlite <no-reply@arvlite.localhost>'),
  DEV_SMTP_PORT: int(1, 65535).default(54331),
  /** Mails one address may be sent per hour; more are suppressed (recorded, not sent). */
  MAIL_RATE_LIMIT_PER_HOUR: int(1, 10_000).default(20),

  /** Base URL of the Expo push service (`/--/api/v2/push/send` and `/getReceipts` below it). */
  EXPO_PUSH_URL: url(/^https?:$/).default('https://exp.host'),
  /** Expo access token, when the project has enhanced push security on (sent as a Bearer token). */
  EXPO_ACCESS_TOKEN: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, { message: 'must be one token' })
    .optional(),
  /** Seconds between sending pushes and asking Expo for their receipts (Expo suggests about 15 minutes). */
  EXPO_PUSH_RECEIPT_DELAY_S: int(0, 24 * 3600).default(900),

  /**
   * Lets webhook endpoints (and other checked outbound requests) use plain http and loopback addresses: for
   * development and tests only, refused with NODE_ENV=production. Private, link-local and metadata addresses stay refused.
   */
  WEBHOOK_ALLOW_LOOPBACK: bool.default(false),
  /** Limit of one webhook delivery attempt (connect, send, answer), in seconds. */
  WEBHOOK_TIMEOUT_S: int(1, 60).default(10),

  /** Base URL of the YooKassa API (`/v3/payments`, `/v3/refunds` below it); tests point it at a local fake. */
  PAYMENTS_YOOKASSA_API_URL: url(/^https?:$/).default('https://api.yookassa.ru'),
  /** Addresses/CIDRs YooKassa notifications may come from (YooKassa's published list by default). */
  PAYMENTS_YOOKASSA_NOTIFICATION_IPS: z
    .string()
    .max(4096)
    .default('185.71.76.0/27,185.71.77.0/27,77.75.153.0/25,77.75.156.11,77.75.156.35,77.75.154.128/25,2a02:5180::/32')
    .transform((v, ctx): string[] => {
      const entries = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (entries.every((e) => isAddressOrCidr(e) && isIP(e.split('/')[0] ?? '') !== 0)) return entries;
      ctx.addIssue({ code: 'custom', message: 'expected addresses or CIDRs, comma-separated' });
      return z.NEVER;
    }),
  /** Base URL of the Stripe API (the library's host, port and protocol); tests point it at a local fake. */
  PAYMENTS_STRIPE_API_URL: url(/^https?:$/).default('https://api.stripe.com'),

  /** Bearer token of the server's and the worker's /metrics; unset: /metrics answers 404 (except on METRICS_PORT). */
  METRICS_TOKEN: z.string().min(32, { message: 'expected at least 32 characters' }).max(512).optional(),
  /** A second listener of the server (on HOST) serving only /metrics, without a token; unset: none. */
  METRICS_PORT: int(1, 65535).optional(),
  /** The worker's /metrics listener (on HOST, METRICS_TOKEN required); unset: the worker serves no metrics. */
  WORKER_METRICS_PORT: int(1, 65535).optional(),
  /** Human-readable logs (pino-pretty) outside production even when stdout is not a terminal. */
  LOG_PRETTY: bool.default(false),
  /** OpenTelemetry traces: `otlp` exports over OTLP/HTTP JSON, `none` (or unset without an endpoint) is off. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(/^https?:$/).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url(/^https?:$/).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/json']).optional(),
  /** `key=value` pairs, comma-separated (W3C baggage format), sent with every export (e.g. a collector's API key). */
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .max(4096)
    .regex(/^[^\r\n]*$/, { message: 'must be one line' })
    .optional(),
  OTEL_SERVICE_NAME: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9._-]+$/, { message: 'expected letters, digits, dot, dash or underscore' })
    .optional(),

  /** Scheduled backups (`arvlite backup` run by the worker's cron): a 5-field cron expression; unset: off. */
  BACKUP_CRON: z
    .string()
    .max(200)
    .regex(/^[0-9*,/-]+( +[0-9*,/-]+){4}$/, {
      message: 'expected a cron expression of 5 fields (minute hour day month weekday), e.g. "30 3 * * *"',
    })
    .optional(),
  /** Scheduled backups kept in BACKUP_DIR (older ones are deleted after each new one). */
  BACKUP_KEEP: int(1, 1000).default(7),
  /** Where backups go (default DATA_DIR/backups). */
  BACKUP_DIR: z.string().max(4096).optional(),
});
