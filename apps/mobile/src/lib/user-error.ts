// An error this app raises itself (a file it cannot read, a refused upload), carrying the catalog key of what a
// person reads. The message stays English for logs and stored diagnostics.
import { mobile as en } from '../i18n/locales/en.ts';

export type UserErrorKey = keyof typeof en.errors;
export type UserErrorValues = Record<string, string | number>;

export class UserError extends Error {
  readonly key: UserErrorKey;
  readonly values: UserErrorValues;
  constructor(key: UserErrorKey, values: UserErrorValues = {}) {
    super(interpolate(en.errors[key], values));
    this.name = 'UserError';
    this.key = key;
    this.values = values;
  }
}

function interpolate(text: string, values: UserErrorValues): string {
  return text.replace(/\{\{(\w+)\}\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}
