// Debian's Chromium for end-to-end tests, driven by playwright-core: never a downloaded browser, and quiet flags so a
// test makes no network calls of its own (updates, sync, QUIC).
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export type ChromiumOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

/** A headless Chromium with a profile of its own; `args` add to the quiet defaults. */
export function launchChromium(profileDir: string, options: ChromiumOptions = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ...options,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}
