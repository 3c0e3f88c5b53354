/**
 * Stand-ins for WeChat's native pickers: a file chooser for images, a browser download for a shared file, a generated sample avatar
 * (so the avatar flow works without an image file at hand), and the phone-number code format the
 * emulator's getPhoneNumber accepts (cloudbase-emulator: src/openapi/phone-number.ts).
 */

/** Opens the browser's file chooser for one image; null when the person cancels. */
export function pickImageFile(): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = 'image/*';
    input.style.display = 'none';
    const done = (file: File | null) => {
      input.remove();
      resolve(file);
    };
    input.addEventListener('change', () => done(input.files?.[0] ?? null));
    input.addEventListener('cancel', () => done(null));
    document.body.appendChild(input);
    input.click();
  });
}

/**
 * The browser's download of a file the page shares (wx.shareFileMessage): an <a download> on an
 * object URL, released once the browser has taken the bytes.
 */
export function downloadFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A 256 x 256 PNG: the person's initial on a colour of their own. */
export function sampleAvatar(name: string): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = 256;
  canvas.height = 256;
  const context = canvas.getContext('2d');
  if (!context) return Promise.reject(new Error('canvas 2d is not available'));
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  const gradient = context.createLinearGradient(0, 0, 256, 256);
  gradient.addColorStop(0, `hsl(${hash}, 70%, 62%)`);
  gradient.addColorStop(1, `hsl(${(hash + 40) % 360}, 70%, 45%)`);
  context.fillStyle = gradient;
  context.fillRect(0, 0, 256, 256);
  context.fillStyle = '#ffffff';
  context.font = '600 128px "Noto Sans CJK SC", "PingFang SC", sans-serif';
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText(Array.from(name)[0] ?? '?', 128, 136);
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('canvas.toBlob failed'))), 'image/png');
  });
}

/** A getPhoneNumber code for `phoneNumber`, valid once within 5 minutes, as WeChat's are. */
export function phoneCode(phoneNumber: string, now: number, nonce: string): string {
  return `phone:${phoneNumber}:${now}-${nonce}`;
}

/** '13800138000' or '+1-4155550100' (what the emulator parses); null otherwise. */
export function normalizePhoneNumber(text: string): string | null {
  const compact = text.replace(/[\s()]/g, '');
  if (/^\d{5,15}$/.test(compact)) return compact;
  const international = /^\+(\d{1,4})-?(\d{4,14})$/.exec(compact);
  return international ? `+${international[1]}-${international[2]}` : null;
}
