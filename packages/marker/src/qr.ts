// QR codes (PNG for print, SVG for the web) that open the AR viewer for a content item.
import QRCode from 'qrcode';

export interface QrOptions {
  /** M survives ~15 % damage, Q ~25 % (for codes printed on photos that get handled). Default M. */
  errorCorrection?: 'M' | 'Q';
  /** PNG width and height in pixels, quiet zone included. Default 1024. */
  sizePx?: number;
  /** Quiet zone in modules; the QR specification asks for at least 4. Default 4. */
  quietZoneModules?: number;
}

const MIN_QUIET_ZONE = 4;

export function viewerLinks(publicUrl: string, publicId: string): { url: string; deepLink: string } {
  const id = encodeURIComponent(publicId);
  return { url: `${publicUrl.replace(/\/+$/, '')}/v/${id}`, deepLink: `arvlite://v/${id}` };
}

export function qrPng(text: string, options: QrOptions = {}): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', width: options.sizePx ?? 1024, ...common(options) });
}

export function qrSvg(text: string, options: QrOptions = {}): Promise<string> {
  return QRCode.toString(text, { type: 'svg', ...common(options) });
}

function common(options: QrOptions) {
  return {
    errorCorrectionLevel: options.errorCorrection ?? 'M',
    margin: Math.max(MIN_QUIET_ZONE, options.quietZoneModules ?? MIN_QUIET_ZONE),
    color: { dark: '#000000ff', light: '#ffffffff' },
  } as const;
}
