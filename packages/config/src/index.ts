import { createHash, hkdfSync } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { processEnv, type RawEnv } from './env.ts';
import { envSchema } from './schema.ts';

export { envSchema } from './schema.ts';
export { processEnv } from './env.ts';

export class ConfigError extends Error {
  readonly issues: { variable: string; message: string }[];
  constructor(issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export type Config = ReturnType<typeof toConfig>;

/** Azurite's published development key (account devstoreaccount1): anyone can sign with it. */
export const AZURITE_PUBLIC_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Parses and validates the environment. Empty strings count as unset. */
export function loadConfig(env: RawEnv = processEnv()): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(root)');
        const got = cleaned[variable];
        const shown = got === undefined ? '' : ` (got ${JSON.stringify(truncate(got))})`;
        return { variable, message: `${issue.message}${shown}` };
      }),
    );
  }
  const refused = parsed.data.NODE_ENV === 'production' ? productionIssues(parsed.data, cleaned) : [];
  if (refused.length > 0) throw new ConfigError(refused);
  return toConfig(parsed.data);
}

/**
 * NODE_ENV=production refuses what only suits a developer's machine: the embedded services, the public s3rver
 * credentials, plain-http or loopback allowances and a public URL without TLS. All issues are reported at once.
 */
export function productionIssues(
  e: z.output<typeof envSchema>,
  given: Record<string, string | undefined>,
): { variable: string; message: string }[] {
  const issues: { variable: string; message: string }[] = [];
  const refuse = (variable: string, message: string) => issues.push({ variable, message });
  if (!e.DATABASE_URL)
    refuse('DATABASE_URL', 'required with NODE_ENV=production (embedded Postgres is for development)');
  if (e.STORAGE_PROVIDER === 's3') {
    if (!e.S3_ENDPOINT) refuse('S3_ENDPOINT', 'required with NODE_ENV=production (the embedded S3 is for development)');
    for (const v of ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (given[v] === undefined || e[v] === 'S3RVER')
        refuse(v, 'required with NODE_ENV=production; the default (S3RVER) is the public key of the embedded S3');
    }
  }
  if (e.STORAGE_PROVIDER === 'azure') {
    for (const v of ['AZURE_STORAGE_ENDPOINT', 'AZURE_STORAGE_ACCOUNT', 'AZURE_STORAGE_KEY'] as const) {
      if (!e[v]) refuse(v, 'required with STORAGE_PROVIDER=azure and NODE_ENV=production');
    }
    if (e.AZURE_STORAGE_KEY === AZURITE_PUBLIC_KEY || e.AZURE_STORAGE_ACCOUNT === 'devstoreaccount1')
      refuse(
        'AZURE_STORAGE_KEY',
        "Azurite's published development account and key are refused with NODE_ENV=production",
      );
  }
  if (!e.AUTH_JWT_SECRET) refuse('AUTH_JWT_SECRET', 'required with NODE_ENV=production: 32 or more random characters');
  if (!e.SMTP_URL)
    refuse('SMTP_URL', 'required with NODE_ENV=production (the embedded SMTP server keeps mail locally)');
  if (given.MAIL_FROM === undefined || /\.localhost>?$/i.test(e.MAIL_FROM))
    refuse('MAIL_FROM', 'required with NODE_ENV=production: an address of a domain you send from');
  if (!e.PUBLIC_URL) refuse('PUBLIC_URL', 'required with NODE_ENV=production: the https URL users open');
  else if (!e.PUBLIC_URL.startsWith('https://')) refuse('PUBLIC_URL', 'must be https with NODE_ENV=production');
  if (e.WEBHOOK_ALLOW_LOOPBACK)
    refuse('WEBHOOK_ALLOW_LOOPBACK', 'is for development and tests; refused with NODE_ENV=production');
  if (e.MEDIA_EXTERNAL_ANALYZER_ALLOW_PRIVATE)
    refuse('MEDIA_EXTERNAL_ANALYZER_ALLOW_PRIVATE', 'is for development and tests; refused with NODE_ENV=production');
  if (e.OIDC_PROVIDERS.some((p) => p.allowInsecure))
    refuse('OIDC_PROVIDERS', 'allowInsecure is for development and tests; refused with NODE_ENV=production');
  return issues;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * One key per use, derived from the root secret (AUTH_JWT_SECRET) with HKDF-SHA256, so a key that leaks from one use
 * (a viewer hash, a /media signature) says nothing about the others. base64url strings of 32 bytes.
 */
export function deriveKeys(rootSecret: string) {
  const key = (info: string) => Buffer.from(hkdfSync('sha256', rootSecret, 'arvlite', info, 32)).toString('base64url');
  return {
    accessTokens: key('arvlite/access-tokens/v1'),
    mediaUrls: key('arvlite/media-urls/v1'),
    viewerHashes: key('arvlite/viewer-hashes/v1'),
    emailVerification: key('arvlite/email-verification/v1'),
    invitations: key('arvlite/invitations/v1'),
    passwordReset: key('arvlite/password-reset/v1'),
    webhookSecrets: key('arvlite/webhook-secrets/v1'),
    paymentSecrets: key('arvlite/payment-secrets/v1'),
    unsubscribe: key('arvlite/unsubscribe/v1'),
    customerUploads: key('arvlite/customer-uploads/v1'),
    documentLinks: key('arvlite/document-links/v1'),
    localStorage: key('arvlite/local-storage/v1'),
  };
}

function toConfig(e: z.output<typeof envSchema>) {
  const keys = e.AUTH_JWT_SECRET === undefined ? undefined : deriveKeys(e.AUTH_JWT_SECRET);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl,
      corsOrigins: e.CORS_ORIGINS.length > 0 ? e.CORS_ORIGINS : [new URL(publicUrl).origin],
      trustProxy: e.TRUST_PROXY,
    },
    dataDir: e.DATA_DIR,
    backups: {
      /** Cron expression of the worker's scheduled backup; undefined: no scheduled backups. */
      cron: e.BACKUP_CRON,
      keep: e.BACKUP_KEEP,
      dir: e.BACKUP_DIR ?? join(e.DATA_DIR, 'backups'),
    },
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      /** How long a query waits for a pooled connection (or a new one to connect) before failing as unavailable. */
      acquireTimeoutMs: e.DATABASE_ACQUIRE_TIMEOUT_MS,
      /** Server processes: statement_timeout of their connections (0: none). Workers run without one. */
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    devServices: {
      postgresPort: e.DEV_POSTGRES_PORT,
      s3Port: e.DEV_S3_PORT,
      smtpPort: e.DEV_SMTP_PORT,
    },
    s3: {
      endpoint: e.S3_ENDPOINT,
      publicEndpoint: e.S3_PUBLIC_ENDPOINT ?? e.S3_ENDPOINT,
      region: e.S3_REGION,
      bucket: e.S3_BUCKET,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
    },
    storage: { provider: e.STORAGE_PROVIDER },
    azure: {
      endpoint: e.AZURE_STORAGE_ENDPOINT,
      publicEndpoint: e.AZURE_STORAGE_PUBLIC_ENDPOINT ?? e.AZURE_STORAGE_ENDPOINT,
      accountName: e.AZURE_STORAGE_ACCOUNT,
      accountKey: e.AZURE_STORAGE_KEY,
      container: e.AZURE_STORAGE_CONTAINER,
    },
    localStorage: {
      /** The objects' directory when STORAGE_PROVIDER=local. */
      dir: e.LOCAL_STORAGE_DIR ?? join(e.DATA_DIR, 'objects'),
      /** HMAC key of its signed download URLs and tus upload tokens. */
      signingKey: keys?.localStorage,
    },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      heartbeatIntervalMs: e.WORKER_HEARTBEAT_INTERVAL_MS,
      deadAfterMs: e.WORKER_DEAD_AFTER_MS,
      pollIntervalMs: e.WORKER_POLL_INTERVAL_MS,
      tasks: e.WORKER_TASKS,
    },
    auth: {
      // No default in any environment: `pnpm start` generates the root secret (DATA_DIR/secrets.json), tests their own.
      jwtSecret: keys?.accessTokens,
      accessTokenTtlS: e.AUTH_ACCESS_TOKEN_TTL_S,
      refreshTokenTtlDays: e.AUTH_REFRESH_TOKEN_TTL_DAYS,
      sessionMaxDays: e.AUTH_SESSION_MAX_DAYS,
      /** HMAC key that derives email verification tokens from their ids (the mailer derives the same). */
      emailVerificationKey: keys?.emailVerification,
      /** HMAC keys that derive invitation and password-reset link tokens from their ids (the mailer derives the same). */
      invitationKey: keys?.invitations,
      passwordResetKey: keys?.passwordReset,
      /** HMAC key that derives customer upload link tokens from their ids (the mailer derives the same). */
      customerUploadKey: keys?.customerUploads,
      /** HMAC key that derives the tokens of document links (a customer's invoice) from their ids (the mailer derives the same). */
      documentLinkKey: keys?.documentLinks,
      inviteTtlHours: e.AUTH_INVITE_TTL_HOURS,
      issuer: publicUrl,
      audience: 'arvlite-api',
      oidcProviders: e.OIDC_PROVIDERS,
    },
    operator: {
      /** SHA-256 (hex) of OPERATOR_TOKEN: the token itself is not kept. */
      tokenSha256:
        e.OPERATOR_TOKEN === undefined ? undefined : createHash('sha256').update(e.OPERATOR_TOKEN).digest('hex'),
    },
    companies: {
      defaultQuotaBytes: e.COMPANY_DEFAULT_QUOTA_BYTES,
      maxPerUser: e.COMPANY_MAX_PER_USER,
      defaultTimezone: e.DEFAULT_TIMEZONE,
    },
    media: {
      ffmpegPath: e.FFMPEG_PATH,
      ffprobePath: e.FFPROBE_PATH,
      encodeConcurrency: e.MEDIA_ENCODE_CONCURRENCY ?? Math.max(1, Math.floor(availableParallelism() / 2)),
      x264Preset: e.MEDIA_X264_PRESET,
      /** Clips up to this long (s) are laddered in one ffmpeg pass (video:ladder); 0: one job per rung always. */
      ladderOnePassMaxS: e.MEDIA_LADDER_ONE_PASS_MAX_S,
      processLauncher: e.MEDIA_PROCESS_LAUNCHER,
      analyzers: e.MEDIA_ANALYZERS,
      externalAnalyzerUrl: e.MEDIA_EXTERNAL_ANALYZER_URL,
      externalAnalyzerAllowPrivate: e.MEDIA_EXTERNAL_ANALYZER_ALLOW_PRIVATE,
      scratchDir: e.MEDIA_SCRATCH_DIR ?? join(tmpdir(), 'arvlite-media'),
      originalCacheBytes: e.MEDIA_ORIGINAL_CACHE_BYTES,
      publicBaseUrl: e.MEDIA_PUBLIC_BASE_URL?.replace(/\/+$/, ''),
      urlTtlS: e.MEDIA_URL_TTL_S,
      /** HMAC key of /media URL signatures. */
      urlSigningKey: keys?.mediaUrls,
      jobMaxAttempts: e.MEDIA_JOB_MAX_ATTEMPTS,
      /**
       * Attempts a step gets when its failures are transient (storage or database unreachable, the scratch disk full):
       * past jobMaxAttempts the job is given one more, with graphile-worker's growing backoff, up to this many.
       */
      jobTransientAttempts: Math.max(e.MEDIA_JOB_TRANSIENT_ATTEMPTS, e.MEDIA_JOB_MAX_ATTEMPTS),
      companyConcurrency: e.MEDIA_COMPANY_CONCURRENCY,
      ffmpegTimeoutMs: e.MEDIA_FFMPEG_TIMEOUT_S * 1000,
      maxDurationS: e.MEDIA_MAX_DURATION_S,
      maxPixelRate: e.MEDIA_MAX_PIXEL_RATE,
      reprocessPerHour: e.VIDEO_REPROCESS_PER_HOUR,
    },
    uploads: {
      maxBytes: e.UPLOAD_MAX_BYTES,
      multipartThresholdBytes: e.UPLOAD_MULTIPART_THRESHOLD_BYTES,
      partSizeBytes: e.UPLOAD_PART_SIZE_BYTES,
      sessionTtlHours: e.UPLOAD_SESSION_TTL_HOURS,
      urlTtlS: e.UPLOAD_URL_TTL_S,
    },
    markers: {
      compileConcurrency: e.MARKER_COMPILE_CONCURRENCY,
      reportSamples: e.MARKER_REPORT_SAMPLES,
    },
    mail: {
      /** The relay: SMTP_URL, else the embedded SMTP server of the dev services on loopback. */
      smtpUrl: e.SMTP_URL ?? `smtp://127.0.0.1:${e.DEV_SMTP_PORT}`,
      /** True when mail goes to the embedded server (which keeps every mail as .eml under `dir`: the dev mailbox). */
      embedded: e.SMTP_URL === undefined,
      dir: join(e.DATA_DIR, 'mail'),
      from: e.MAIL_FROM,
      ratePerRecipientPerHour: e.MAIL_RATE_LIMIT_PER_HOUR,
    },
    notifications: {
      /** HMAC key of unsubscribe link tokens (scoped to a user, a kind and a channel; nothing stored). */
      unsubscribeKey: keys?.unsubscribe,
      expoPushUrl: e.EXPO_PUSH_URL.replace(/\/+$/, ''),
      expoAccessToken: e.EXPO_ACCESS_TOKEN,
      pushReceiptDelayS: e.EXPO_PUSH_RECEIPT_DELAY_S,
    },
    webhooks: {
      /** Plain http and loopback receivers (development and tests only; never in production). */
      allowLoopback: e.WEBHOOK_ALLOW_LOOPBACK,
      timeoutMs: e.WEBHOOK_TIMEOUT_S * 1000,
      /** AES-256-GCM key (base64url) that encrypts endpoint signing secrets at rest. */
      secretKey: keys?.webhookSecrets,
    },
    payments: {
      yookassaApiUrl: e.PAYMENTS_YOOKASSA_API_URL.replace(/\/+$/, ''),
      yookassaNotificationIps: e.PAYMENTS_YOOKASSA_NOTIFICATION_IPS,
      stripeApiUrl: e.PAYMENTS_STRIPE_API_URL.replace(/\/+$/, ''),
      /** AES-256-GCM key (base64url) that encrypts companies' provider credentials at rest. */
      secretKey: keys?.paymentSecrets,
    },
    apiKeys: { rateLimitPerMinute: e.API_KEY_RATE_LIMIT_PER_MINUTE },
    telemetry: {
      /** SHA-256 (hex) of METRICS_TOKEN: the token itself is not kept. */
      metricsTokenSha256:
        e.METRICS_TOKEN === undefined ? undefined : createHash('sha256').update(e.METRICS_TOKEN).digest('hex'),
      metricsPort: e.METRICS_PORT,
      workerMetricsPort: e.WORKER_METRICS_PORT,
      logPretty: e.LOG_PRETTY,
      /** The OTLP/HTTP traces URL when tracing is on, else undefined (off: the API's no-op tracer, no SDK loaded). */
      otlpTracesUrl: otlpTracesUrl(e),
      otlpHeaders: parseOtlpHeaders(e.OTEL_EXPORTER_OTLP_HEADERS),
      serviceName: e.OTEL_SERVICE_NAME,
    },
    viewer: {
      rateLimitPerMinute: e.VIEWER_RATE_LIMIT_PER_MINUTE,
      sessionTimeoutMinutes: e.VIEWER_SESSION_TIMEOUT_MINUTES,
      /** HMAC key of the viewers' IP and device hashes (analytics). */
      hashKey: keys?.viewerHashes,
    },
  };
}

/**
 * Tracing is on when OTEL_TRACES_EXPORTER=otlp, or when it is unset and an OTLP endpoint is given. The traces URL is
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces (the OTLP convention), else
 * the collector's default on localhost.
 */
function otlpTracesUrl(e: z.output<typeof envSchema>): string | undefined {
  const given = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT;
  const on = e.OTEL_TRACES_EXPORTER === 'otlp' || (e.OTEL_TRACES_EXPORTER === undefined && given !== undefined);
  if (!on) return undefined;
  if (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (e.OTEL_EXPORTER_OTLP_ENDPOINT) return `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return 'http://localhost:4318/v1/traces';
}

/** `a=1,b=2` (values percent-decoded) as headers; pairs without `=` or with a name that is not a token are ignored. */
function parseOtlpHeaders(v: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (v ?? '').split(',')) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, Math.max(0, at)).trim();
    if (!/^[A-Za-z0-9-]{1,100}$/.test(name)) continue;
    const raw = pair.slice(at + 1).trim();
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}

/** Asserts that the services a process needs were configured (by the operator or the launcher). */
export function requireServices(config: Config): Config & {
  database: { url: string };
  s3: { endpoint: string; publicEndpoint: string };
  auth: {
    jwtSecret: string;
    emailVerificationKey: string;
    invitationKey: string;
    passwordResetKey: string;
    customerUploadKey: string;
    documentLinkKey: string;
  };
  media: { urlSigningKey: string };
  viewer: { hashKey: string };
  webhooks: { secretKey: string };
  notifications: { unsubscribeKey: string };
} {
  const missing: { variable: string; message: string }[] = [];
  if (!config.database.url)
    missing.push({
      variable: 'DATABASE_URL',
      message: 'required (use `pnpm start` to get embedded Postgres)',
    });
  if (config.storage.provider === 's3' && !config.s3.endpoint)
    missing.push({ variable: 'S3_ENDPOINT', message: 'required (use `pnpm start` to get local S3)' });
  if (config.storage.provider === 'azure' && !config.azure.endpoint)
    missing.push({ variable: 'AZURE_STORAGE_ENDPOINT', message: 'required with STORAGE_PROVIDER=azure' });
  if (!config.auth.jwtSecret)
    missing.push({
      variable: 'AUTH_JWT_SECRET',
      message: 'required: at least 32 random characters (`pnpm start` generates one in DATA_DIR/secrets.json)',
    });
  if (missing.length > 0) throw new ConfigError(missing);
  return config as Config & {
    database: { url: string };
    s3: { endpoint: string; publicEndpoint: string };
    auth: {
      jwtSecret: string;
      emailVerificationKey: string;
      invitationKey: string;
      passwordResetKey: string;
      customerUploadKey: string;
      documentLinkKey: string;
    };
    media: { urlSigningKey: string };
    viewer: { hashKey: string };
    webhooks: { secretKey: string };
    notifications: { unsubscribeKey: string };
  };
}

export type ServiceConfig = ReturnType<typeof requireServices>;
