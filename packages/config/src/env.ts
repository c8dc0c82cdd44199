// The one place in the repo that reads process.env (lint forbids it elsewhere).
export type RawEnv = Record<string, string | undefined>;

export function processEnv(): RawEnv {
  // eslint-disable-next-line no-restricted-properties
  return process.env;
}
