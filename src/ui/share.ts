import QRCode from 'qrcode';
import type { Sample } from '../core/records.ts';
import { buildPayload, shareLink, ShareError, type SharePayload } from '../core/share/payload.ts';

/** This page's address without its route (a classroom's join link: the same machine or network). */
export function pageBase(): string {
  return location.href.replace(/#.*$/, '');
}

/** Whether a hub address can only be reached from the machine it is given on (a local mirror). */
export function isLoopbackHub(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/**
 * Where a result link sends its receiver: this page's address less a ?hub= only this machine reaches
 * (the receiver's page then downloads from its own hub setting, huggingface.co by default).
 */
export function shareBase(): string {
  const url = new URL(pageBase());
  const hub = url.searchParams.get('hub');
  if (hub !== null && isLoopbackHub(hub)) url.searchParams.delete('hub');
  return url.href;
}

/**
 * The summary and full links of a result (results.json and, for the full one, its samples), or why
 * a link cannot carry it (a full link alone may be refused: GSM8K's free-text answers are no picks).
 */
export function resultLinks(
  results: Record<string, unknown>,
  samples: Sample[],
): { summary: string; full?: string } | { refused: string } {
  const r = results as Parameters<typeof buildPayload>[0];
  const link = (withSamples: boolean) => {
    try {
      return shareLink(shareBase(), withSamples ? buildPayload(r, samples) : buildPayload(r));
    } catch (e) {
      if (e instanceof ShareError) return new Error(e.message);
      throw e;
    }
  };
  const summary = link(false);
  if (summary instanceof Error) return { refused: summary.message };
  const full = link(true);
  return full instanceof Error ? { summary } : { summary, full };
}

export function linkOf(p: SharePayload): string {
  return shareLink(shareBase(), p);
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
