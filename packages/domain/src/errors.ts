// The small set of domain errors; trpc.ts maps them to tRPC codes in one place.
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'CONFLICT'
  | 'BAD_REQUEST'
  | 'TOO_MANY_REQUESTS'
  | 'PRECONDITION_FAILED'
  | 'SERVICE_UNAVAILABLE'
  | 'PAYLOAD_TOO_LARGE';

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  /** Safe, structured details for clients (never secrets or internals). */
  readonly details: Record<string, unknown> | undefined;
  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You do not have permission to do this') {
    super('FORBIDDEN', message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Sign in to continue') {
    super('UNAUTHORIZED', message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, details);
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('BAD_REQUEST', message, details);
  }
}

export class QuotaExceededError extends DomainError {
  constructor(used: number, reserved: number, limit: number, requested: number) {
    super(
      'PAYLOAD_TOO_LARGE',
      `Storage quota exceeded: ${used} bytes used, ${reserved} reserved, ${requested} requested, limit ${limit}`,
      {
        reason: 'QUOTA_EXCEEDED',
        usedBytes: used,
        reservedBytes: reserved,
        limitBytes: limit,
        requestedBytes: requested,
      },
    );
  }
}

/** The caller must do something first; `reason` is a code clients translate (e.g. EMAIL_NOT_VERIFIED). */
export class PreconditionFailedError extends DomainError {
  constructor(message: string, reason: string) {
    super('PRECONDITION_FAILED', message, { reason });
  }
}

export class RateLimitedError extends DomainError {
  constructor(retryAfterS: number) {
    super('TOO_MANY_REQUESTS', `Too many attempts; retry in ${retryAfterS} s`, { retryAfterS });
  }
}

export class ServiceUnavailableError extends DomainError {
  /** `retryAfterS`: the seconds clients are told to wait (`retry-after`), when there is a sensible number. */
  constructor(message: string, retryAfterS?: number) {
    super('SERVICE_UNAVAILABLE', message, retryAfterS ? { retryable: true, retryAfterS } : { retryable: true });
  }
}
