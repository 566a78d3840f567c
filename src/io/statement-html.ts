import { statementSections, type PrintableStatement } from './statement-sections';

const STYLE = `
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
h2 { font-size: 1.1em; margin: 1.6em 0 0.4em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; }
th { background: #f2f2f2; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.flagged { background: #fde8e8; font-weight: bold; }
p.empty { color: #555; font-style: italic; }
@media print { body { margin: 1cm; } h2 { break-after: avoid; } table { break-inside: auto; } tr { break-inside: avoid; } }
`;

/** A printable HTML statement: the figures, rebates, breaches, discrepancies and reconciliation, flagged cells highlighted. */
export function formatStatementHtml(statement: PrintableStatement): string {
  return [...statementHtmlLines(statement)].join('');
}

/** {@link formatStatementHtml} line by line (each with its newline), for writing a statement of millions of discrepancies as a stream. */
export function* statementHtmlLines(statement: PrintableStatement): Generator<string> {
  const title = `${statement.agreement} ${statement.period.from} – ${statement.period.to}`;
  yield* lines('<!doctype html>', '<html lang="zh-CN">', '<head>', '<meta charset="utf-8">', `<title>${escapeHtml(`结算单 ${title}`)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>');
  yield* lines(`<h1>${escapeHtml(`结算单 Settlement statement: ${statement.agreement}, ${statement.period.from} – ${statement.period.to}`)}</h1>`);
  for (const section of statementSections(statement)) {
    yield* lines(`<section id="${section.id}">`, `<h2>${escapeHtml(section.title)}</h2>`);
    if (section.rowCount === 0) {
      yield* lines('<p class="empty">none 无</p>', '</section>');
      continue;
    }
    yield* lines('<table>', `<thead><tr>${section.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr></thead>`, '<tbody>');
    for (const row of section.rows) {
      const cells = row.map((cell) => {
        const classes = [cell.kind === 'number' ? 'number' : '', cell.flagged === true ? 'flagged' : ''].filter((c) => c !== '').join(' ');
        return `<td${classes === '' ? '' : ` class="${classes}"`}>${escapeHtml(cell.value)}</td>`;
      });
      yield `<tr>${cells.join('')}</tr>\n`;
    }
    yield* lines('</tbody>', '</table>', '</section>');
  }
  yield* lines('</body>', '</html>');
}

function lines(...texts: string[]): string[] {
  return texts.map((text) => `${text}\n`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
