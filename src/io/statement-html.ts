import { createHash } from 'node:crypto';
import type { Label } from '../domain/agreement';
import { breachesChart, escapeXml, tierPositionChart, volumeByChannelChart } from './statement-charts';
import { STATEMENT_LABELS as L, bilingual } from './statement-labels';
import { formatFactor, formatMoney, formatPercent, groupDigits, plainPresentation, type StatementPresentation } from './statement-presentation';
import { statementSections, type PrintableStatement, type StatementCell, type StatementSection } from './statement-sections';

const STYLE = `
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #111; line-height: 1.4; }
header.title { border-bottom: 2px solid #111; margin-bottom: 1em; }
h1 { font-size: 1.5em; margin: 0 0 0.2em; }
h2 { font-size: 1.15em; margin: 1.6em 0 0.4em; }
.en { color: #444; font-weight: normal; }
th .en, h1 .en, h2 .en { display: block; font-size: 0.8em; }
p.parties { font-size: 1.15em; margin: 0.2em 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1.2em; margin: 0.8em 0 1em; }
dl.facts dt { color: #444; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.flagged { background: #fde8e8; font-weight: bold; }
table.summary tr:last-child td { font-weight: bold; border-top: 2px solid #111; }
p.empty { color: #555; font-style: italic; }
.chart { display: block; max-width: 100%; height: auto; margin: 0.6em 0 1em; }
table.sign-off td { height: 3.2em; width: 33%; }
@page { size: A4; margin: 15mm 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  section.page { break-before: page; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  tr, .chart, table.sign-off { break-inside: avoid; }
  td.flagged { border: 2px solid #111; }
}
`;

/**
 * The Content-Security-Policy an HTML statement is served with: nothing loads (no script, no
 * image, no font, no request), only its own inline style runs, by its hash.
 */
export const STATEMENT_HTML_CSP = `default-src 'none'; style-src ${statementStyleSource()}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** The CSP source allowing the statement's inline style and nothing else: its SHA-256 hash (`'sha256-…'`). */
export function statementStyleSource(): string {
  return `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;
}

/**
 * A statement a finance user reads and prints on A4: the parties and the period in the
 * title, bilingual labels, amounts with thousands separators and the currency, rates in %
 * and price factors as 折 where the agreement speaks in 折, charts (volume by channel, each
 * buyer on its rebate tiers, breaches), every section, and a sign-off block for both parties.
 * Without a presentation (the agreement version not at hand) money reads with the decimals of
 * the statement's figures and factors in percent, without the tier charts.
 */
export function formatStatementHtml(statement: PrintableStatement, presentation?: StatementPresentation): string {
  return [...statementHtmlLines(statement, presentation)].join('');
}

/** {@link formatStatementHtml} line by line (each with its newline), for writing a statement of millions of discrepancies as a stream. */
export function* statementHtmlLines(statement: PrintableStatement, presentation: StatementPresentation = plainPresentation(statement)): Generator<string> {
  const parties = Object.values(statement.parties);
  const partiesZh = parties.map((party) => party.name.zh).join(' — ');
  const period = `${statement.period.from} 至 ${statement.period.to}`;
  yield* lines(
    '<!doctype html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(`${L.statement.zh} ${partiesZh} ${period}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
  );
  yield* heading(statement, presentation, period);
  const sections = statementSections(statement, presentation);
  const money = (value: string): string => formatMoney(value, statement.currency, presentation.scale);
  const render = (cell: StatementCell): string => readable(cell, money, presentation);
  for (const section of sections) {
    if (section.id === 'statement') continue;
    yield* sectionLines(section, render, section.id === 'figures' ? 'summary' : 'page');
    if (section.id === 'figures') yield* chartLines(statement, presentation);
  }
  yield* signOff(statement);
  yield* lines('</body>', '</html>');
}

function* heading(statement: PrintableStatement, presentation: StatementPresentation, period: string): Generator<string> {
  const parties = Object.values(statement.parties);
  const fact = (label: Label, value: string): string => `<dt>${labelHtml(label)}</dt><dd>${escapeXml(value)}</dd>`;
  yield* lines(
    '<header class="title">',
    `<h1>${escapeXml(`${parties.map((party) => party.name.zh).join(' — ')} ${L.statement.zh} ${period}`)}<span class="en" lang="en">${escapeXml(`${L.statement.en}: ${parties.map((party) => party.name.en).join(' — ')}, ${statement.period.from} – ${statement.period.to}`)}</span></h1>`,
    '<dl class="facts">',
    fact(L.period, period),
    fact(L.agreement, presentation.title === undefined ? statement.agreement : `${bilingual(presentation.title)} (${statement.agreement})`),
    fact(L.currency, statement.currency),
    fact(L.rulesetVersion, statement.rulesetVersion),
    fact(L.effectiveFrom, statement.effectiveFrom),
    '</dl>',
    '</header>',
  );
}

function* chartLines(statement: PrintableStatement, presentation: StatementPresentation): Generator<string> {
  const tierCharts = statement.rebates.map((line) => tierPositionChart(line, statement.currency, presentation)).filter((chart) => chart !== undefined);
  yield* lines('<section id="charts" class="page">', `<h2>${labelHtml(L.charts)}</h2>`);
  if (Object.keys(statement.volume).length > 0) yield* lines(volumeByChannelChart(statement.volume, statement.currency, presentation));
  if (tierCharts.length > 0) yield* lines(`<h3>${labelHtml(L.tierPosition, 'inline')}</h3>`, ...tierCharts);
  if (statement.priceGuarantee.length > 0) yield* lines(breachesChart(statement.priceGuarantee, statement.currency, presentation));
  yield* lines('</section>');
}

function* sectionLines(section: StatementSection, render: (cell: StatementCell) => string, kind: 'summary' | 'page'): Generator<string> {
  const view = section.view ?? section.labels.map((_, index) => index);
  yield* lines(`<section id="${escapeXml(section.id)}"${kind === 'page' ? ' class="page"' : ''}>`, `<h2>${labelHtml(section.heading)}</h2>`);
  if (section.rowCount === 0) {
    yield* lines(`<p class="empty">${escapeXml(bilingual(L.none))}</p>`, '</section>');
    return;
  }
  yield* lines(`<table${kind === 'summary' ? ' class="summary"' : ''}>`, `<thead><tr>${view.map((index) => `<th scope="col">${labelHtml(section.labels[index]!)}</th>`).join('')}</tr></thead>`, '<tbody>');
  for (const row of section.rows) {
    const cells = view.map((index) => {
      const cell = row[index]!;
      const classes = [cell.kind === 'number' ? 'number' : '', cell.flagged === true ? 'flagged' : ''].filter((c) => c !== '').join(' ');
      return `<td${classes === '' ? '' : ` class="${classes}"`}>${escapeXml(render(cell))}</td>`;
    });
    yield `<tr>${cells.join('')}</tr>\n`;
  }
  yield* lines('</tbody>', '</table>', '</section>');
}

function* signOff(statement: PrintableStatement): Generator<string> {
  const parties = Object.values(statement.parties);
  const blank = `${L.signature.zh} ${L.signature.en}:<br>${L.date.zh} ${L.date.en}:`;
  yield* lines(
    '<section id="sign-off">',
    `<h2>${labelHtml(L.signOff)}</h2>`,
    '<table class="sign-off">',
    `<thead><tr><th scope="col"></th>${parties.map((party) => `<th scope="col">${labelHtml(party.name)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...[L.preparedBy, L.checkedBy, L.approvedBy].map((role) => `<tr><th scope="row">${labelHtml(role)}</th>${parties.map(() => `<td>${blank}</td>`).join('')}</tr>`),
    '</tbody>',
    '</table>',
    '</section>',
  );
}

/** A cell as a person reads it: labels for API names, money with separators and currency, rates in %, factors as 折 or %. */
function readable(cell: StatementCell, money: (value: string) => string, presentation: StatementPresentation): string {
  if (cell.label !== undefined) return bilingual(cell.label);
  if (cell.format === 'money') return money(cell.value);
  if (cell.format === 'rate') return formatPercent(cell.value);
  if (cell.format === 'factor') return formatFactor(cell.value, presentation.priceFactors);
  if (cell.kind === 'number') return groupDigits(cell.value, 0);
  return cell.value;
}

/** A label, 中文 then English (on its own line unless inline); one of them when both read the same. */
function labelHtml(label: Label, layout: 'block' | 'inline' = 'block'): string {
  if (label.zh === label.en) return escapeXml(label.zh);
  return `${escapeXml(label.zh)}${layout === 'inline' ? ' ' : ''}<span class="en" lang="en">${escapeXml(label.en)}</span>`;
}

function lines(...texts: string[]): string[] {
  return texts.map((text) => `${text}\n`);
}
