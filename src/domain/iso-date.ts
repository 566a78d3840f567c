const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The last day found real: a settlement checks the same few days hundreds of thousands of times. */
let lastDay = '';

/** True when `text` is a real calendar day written yyyy-mm-dd ("2026-02-30" is not). */
export function isIsoDate(text: string): boolean {
  if (text === lastDay) return true;
  const match = ISO_DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (real) lastDay = text;
  return real;
}
