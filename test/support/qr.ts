/**
 * Reads QR codes the way a phone's camera app would: zxing-wasm (a maintained port of the ZXing
 * decoder) on the pixels as rendered. Its WebAssembly file is read from node_modules (by default it
 * would be fetched from a CDN).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Locator } from 'playwright-core';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);
const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
prepareZXingModule({
  overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer },
});

/** The texts of the valid QR codes in a PNG. */
export async function decodeQrPng(png: Uint8Array): Promise<string[]> {
  const found = await readBarcodes(png, { formats: ['QRCode'], tryHarder: true });
  return found.filter((b) => b.isValid).map((b) => b.text);
}

/** The text of the one QR code an element shows, read from a screenshot of it at its rendered size. */
export async function readShownQr(el: Locator): Promise<string> {
  const texts = await decodeQrPng(new Uint8Array(await el.screenshot()));
  if (texts.length !== 1) throw new Error(`expected one readable QR code, found ${texts.length}`);
  return texts[0]!;
}
