import QRCode from 'qrcode';
import type { Sample } from '../core/records.ts';
import { buildPayload, shareLink, type SharePayload } from '../core/share/payload.ts';

/** This page's address without its route: where a link sends its receiver. */
export function pageBase(): string {
  return location.href.replace(/#.*$/, '');
}

/** The summary and full links of a result (results.json and, for the full one, its samples). */
export function resultLinks(results: Record<string, unknown>, samples: Sample[]): { summary: string; full: string } {
  const r = results as Parameters<typeof buildPayload>[0];
  return { summary: shareLink(pageBase(), buildPayload(r)), full: shareLink(pageBase(), buildPayload(r, samples)) };
}

export function linkOf(p: SharePayload): string {
  return shareLink(pageBase(), p);
}

/** A QR code as a PNG data URL (shown through <img>, no markup injected); null when the text is too long for one. */
export async function qrDataUrl(text: string, width = 320): Promise<string | null> {
  try {
    return await QRCode.toDataURL(text, { errorCorrectionLevel: 'L', margin: 2, width });
  } catch {
    return null;
  }
}

/** Copies text, falling back to selecting it for the user where the clipboard is not allowed. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
