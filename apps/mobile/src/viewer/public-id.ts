// What a scanned QR code or an opened link points at: `arvlite://v/{publicId}`, `https://<host>/v/{publicId}`, or the
// bare id typed in by hand. The host is ignored on purpose: the app only talks to its own configured server.

const ID = '[A-Za-z0-9_-]{12,64}';
const BARE = new RegExp(`^${ID}$`);
const IN_LINK = new RegExp(`^(?:[a-z][a-z0-9+.-]*:)?(?://[^/?#]*)?/*(?:v/|--/v/)(${ID})/?(?:[?#].*)?$`, 'i');
// arvlite://v/{id}: the "v" is the URL's host.
const SCHEME_HOST = new RegExp(`^arvlite://v/(${ID})/?(?:[?#].*)?$`, 'i');

export function publicIdFrom(text: string | null | undefined): string | null {
  const s = text?.trim();
  if (!s) return null;
  if (BARE.test(s)) return s;
  return SCHEME_HOST.exec(s)?.[1] ?? IN_LINK.exec(s)?.[1] ?? null;
}

export function viewerLink(publicId: string): string {
  return `arvlite://v/${publicId}`;
}
