/** One line of the bench table: a figure beside its baseline, their ratio and the target. */
export interface BenchRow {
  readonly figure: string;
  readonly value: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  /** 'yes' / 'no' when the row has a target, '' otherwise. */
  readonly met: string;
}

/** A row whose value and baseline are rates (higher is better) or costs (lower is better). */
export function ratioRow(figure: string, value: number, baseline: number, unit: string, target: { readonly text: string; readonly holds?: (ratio: number) => boolean }, ratio = value / baseline): BenchRow {
  return {
    figure,
    value: `${format(value)} ${unit}`,
    baseline: `${format(baseline)} ${unit}`,
    ratio: `${ratio.toFixed(2)}×`,
    target: target.text,
    met: target.holds === undefined ? '' : target.holds(ratio) ? 'yes' : 'NO',
  };
}

function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The rows as a Markdown table (it reads as well in a terminal as in docs/performance.md). */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['figure', 'value', 'baseline', 'ratio', 'target', 'met'];
  const cells = rows.map((row) => [row.figure, row.value, row.baseline, row.ratio, row.target, row.met]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((cell) => cell[i]!.length)));
  const line = (cell: readonly string[]): string => `| ${cell.map((text, i) => text.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
