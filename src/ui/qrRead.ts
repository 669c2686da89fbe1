import jsQR from 'jsqr';

/** The text of the QR code in an image (a photo or screenshot of a student's answer code), or null. */
export async function readQrImage(blob: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const img = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  return jsQR(img.data, img.width, img.height)?.data ?? null;
}

/**
 * Reads QR codes from the camera (asked for only when the presenter starts it): each frame is
 * decoded until stop() is called; `onText` gets each code once in a row.
 */
export async function scanCamera(video: HTMLVideoElement, onText: (t: string) => void): Promise<() => void> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  await video.play();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  let last = '';
  let running = true;
  const tick = () => {
    if (!running) return;
    if (video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const code = jsQR(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
      if (code?.data && code.data !== last) {
        last = code.data;
        onText(code.data);
      }
    }
    setTimeout(tick, 250);
  };
  tick();
  return () => {
    running = false;
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  };
}
