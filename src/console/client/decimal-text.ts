// Reading the API's decimal strings as text: thousands grouped, signed, a fraction as a
// percentage. Pure string work (no DOM, no floating point), so a page module and a plain jest
// test can both use it.

/** A decimal string with thousands separators: "-291852.00" → "-291,852.00". */
export function grouped(decimal: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(decimal);
  if (match === null) return decimal;
  return `${match[1]}${match[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${match[3] ?? ''}`;
}

/** An amount for reading: grouped, a leading + for a positive change when asked. */
export function money(decimal: string | undefined, signed = false): string {
  if (decimal === undefined) return '—';
  const text = grouped(decimal);
  return signed && !decimal.startsWith('-') && !/^0(\.0+)?$/.test(decimal) ? `+${text}` : text;
}

/** Moves a decimal string's point `places` to the right, as text (no floating point): shift("0.085", 2) = "8.5". */
export function shiftPoint(decimal: string, places: number): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (match === null) return decimal;
  const fraction = (match[3] ?? '').padEnd(places, '0');
  const digits = `${match[2]}${fraction.slice(0, places)}`.replace(/^0+(?=\d)/, '');
  const rest = fraction.slice(places).replace(/0+$/, '');
  return `${match[1]}${digits}${rest === '' ? '' : `.${rest}`}`;
}

/** A rate fraction as a percentage: "0.03" → "3 %". */
export function percent(rate: string): string {
  return `${shiftPoint(rate, 2)} %`;
}
