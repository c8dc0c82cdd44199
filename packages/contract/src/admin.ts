// The installation's admin (the platform operator, not a company role): plans, suspension and the queue's vocabulary.

/** A company's plan: a label the operator sets beside the storage quota (it grants nothing by itself). */
export const COMPANY_PLANS = ['free', 'starter', 'pro', 'business', 'enterprise'] as const;
export type CompanyPlan = (typeof COMPANY_PLANS)[number];

/** Longest suspension reason an operator may write (shown to the company's members). */
export const SUSPENSION_REASON_MAX = 500;

/** Largest storage quota an operator may set: 1 PiB. */
export const STORAGE_QUOTA_MAX_BYTES = 2 ** 50;

/** graphile-worker job states as the admin queue view groups them. */
export const JOB_STATES = ['queued', 'scheduled', 'running', 'failed', 'locked-queue'] as const;
export type JobState = (typeof JOB_STATES)[number];
