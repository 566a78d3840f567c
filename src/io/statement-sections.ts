import type { Label } from '../domain/agreement';
import type { StatementFigure } from '../domain/statement-figures';
import type { Discrepancy, SettlementStatement } from '../domain/settlement';
import { STATEMENT_LABELS as L, type StatementLabelKey } from './statement-labels';
import type { StatementPresentation } from './statement-presentation';

/** A statement as the presenters read it: its discrepancies an array, or a list read back one at a time. */
export interface PrintableStatement extends Omit<SettlementStatement, 'discrepancies'> {
  readonly discrepancies: Iterable<Discrepancy> & { readonly length: number };
}

/**
 * What a cell holds, for the formats people read (HTML, spreadsheet): money at the agreement's
 * scale or a unit price (money of any decimals), a rate or a price factor (fractions), a count,
 * a yyyy-mm-dd date, a yes/no flag, or text.
 */
export type CellFormat = 'money' | 'rate' | 'factor' | 'count' | 'date' | 'flag' | 'text';

/** A cell of a printed statement: text, or a decimal / whole number (kept as its exact string). */
export interface StatementCell {
  readonly value: string;
  readonly kind: 'text' | 'number';
  /** How people read it (absent: text, or a count when a number). */
  readonly format?: CellFormat;
  /** What a person reads in place of the value (an API name such as `periodFrom`). */
  readonly label?: Label;
  /** Worth the reader's eye: a breach, a discrepancy, a claim that disagrees. */
  readonly flagged?: boolean;
}

/** One table of a printed statement: its rows are read once, as they are written (the discrepancies may be millions). */
export interface StatementSection {
  readonly id: string;
  /** The machine title (CSV). */
  readonly title: string;
  /** The heading people read. */
  readonly heading: Label;
  /** The columns' API names (CSV). */
  readonly columns: readonly string[];
  /** The columns' labels people read, one per column. */
  readonly labels: readonly Label[];
  /** The columns people read, in order (absent: all): an API id column is left to the CSV. */
  readonly view?: readonly number[];
  readonly rowCount: number;
  readonly rows: Iterable<readonly StatementCell[]>;
}

const text = (value: string, flagged = false): StatementCell => ({ value, kind: 'text', ...(flagged ? { flagged } : {}) });
const num = (value: string | number, flagged = false): StatementCell => ({ value: String(value), kind: 'number', ...(flagged ? { flagged } : {}) });
const money = (value: string, flagged = false): StatementCell => ({ ...num(value, flagged), format: 'money' });
const rate = (value: string): StatementCell => ({ ...num(value), format: 'rate' });
const factor = (value: string): StatementCell => ({ ...num(value), format: 'factor' });
const date = (value: string): StatementCell => ({ ...text(value), format: 'date' });
const flag = (value: boolean, flagged = false): StatementCell => ({ ...text(String(value), flagged), format: 'flag', label: value ? L.yes : L.no });
const named = (key: StatementLabelKey): StatementCell => ({ ...text(key), label: L[key] });
const labels = (...keys: StatementLabelKey[]): { columns: string[]; labels: Label[] } => ({ columns: keys, labels: keys.map((key) => L[key]) });
const nonZero = (amount: string): boolean => !/^-?0(\.0+)?$/.test(amount);

/**
 * The statement as the tables a person reads, in order: the heading, the figures, rebates,
 * price-guarantee breaches, discrepancies, the reconciliation (when claims were given) and the
 * counts. CSV and HTML both render these, so they always show the same figures.
 */
export function statementSections(statement: PrintableStatement, presentation?: StatementPresentation): StatementSection[] {
  const channelLabel = (channel: string): string => {
    const label = presentation?.channels[channel];
    return label === undefined ? `业务额 volume, ${channel}` : `业务额 ${label.zh} Volume, ${label.en}`;
  };
  const sections: StatementSection[] = [
    table({
      id: 'statement',
      title: 'Settlement statement 结算单',
      heading: L.statement,
      ...labels('field', 'value'),
      rows: [
        [named('agreement'), text(statement.agreement)],
        [named('periodFrom'), date(statement.period.from)],
        [named('periodTo'), date(statement.period.to)],
        [named('currency'), text(statement.currency)],
        [named('rulesetVersion'), text(statement.rulesetVersion)],
        [named('effectiveFrom'), date(statement.effectiveFrom)],
      ],
    }),
    table({
      id: 'figures',
      title: 'Figures 汇总',
      heading: L.figures,
      ...labels('figure', 'amount', 'label'),
      view: [2, 1],
      rows: [
        ...Object.entries(statement.volume).map(([channel, amount]) => [text(`volume/${channel}`), money(amount), text(channelLabel(channel))]),
        // the built-in totals the agreement does not declare under the same name
        ...builtInTotals(statement).map(([id, amount, label]) => [text(id), money(amount, id === 'compensation' && nonZero(amount)), text(label)]),
        // the figures the agreement declares, with its own labels and who pays whom; the net last
        ...statement.figures.map((figure) => [text(figure.id), money(figure.amount), text(figureLabel(figure, statement.parties))]),
      ],
    }),
    ...groupSections(statement),
    ...(statement.programmes === undefined
      ? []
      : [
          table({
            id: 'programmes',
            title: 'Programme rebates 周期返利',
            heading: L.programmes,
            ...labels('ruleId', 'periodFrom', 'periodTo', 'volumeToDate', 'tierFrom', 'tierTo', 'rate', 'closes', 'rebate'),
            rows: statement.programmes.map((p) => [text(p.ruleId), date(p.period.from), date(p.period.to), money(p.volumeToDate), money(p.tier.from), p.tier.to === undefined ? text('') : { ...text(p.tier.to), format: 'money' }, rate(p.tier.rate), flag(p.closes), money(p.rebate)]),
          }),
        ]),
    ...(statement.clawbacks === undefined
      ? []
      : [
          table({
            id: 'clawbacks',
            title: 'Clawbacks 佣金追回',
            heading: L.clawbacks,
            ...labels('transaction', 'returnOf', 'group', 'sku', 'quantity', 'amount', 'daysAfterSale', 'rate', 'clawback'),
            rows: statement.clawbacks.map((c) => [text(c.transaction), text(c.returnOf), text(c.group ?? ''), text(c.sku), num(c.quantity), money(c.amount), num(c.daysAfterSale), rate(c.rate), money(c.clawback)]),
          }),
        ]),
    table({
      id: 'rebates',
      title: 'Rebates 返点',
      heading: L.rebates,
      ...labels('buyer', 'volume', 'accrued', 'rate', 'final', 'trueUp', 'ruleId'),
      rows: statement.rebates.map((r) => [text(r.buyer), money(r.volume), money(r.accrued), rate(r.rate), money(r.final), money(r.trueUp, nonZero(r.trueUp)), text(r.ruleId)]),
    }),
    table({
      id: 'priceGuarantee',
      title: 'Price guarantee breaches 最低折扣保证',
      heading: L.priceGuarantee,
      ...labels('sku', 'lowestFactor', 'lowestUnitPrice', 'institution', 'breach', 'compensation'),
      rows: statement.priceGuarantee.map((g) => [text(g.sku), factor(g.lowestFactor), money(g.lowestUnitPrice), text(g.institution), flag(g.breach, true), money(g.compensation)]),
    }),
    {
      id: 'discrepancies',
      title: 'Invoice discrepancies 发票差异',
      heading: L.discrepancies,
      ...labels('transaction', 'sku', 'quantity', 'invoicedUnitPrice', 'agreedUnitPrice', 'invoicedAmount', 'agreedAmount', 'difference'),
      rowCount: statement.discrepancies.length,
      rows: discrepancyRows(statement.discrepancies),
    },
  ];
  if (statement.reconciliation !== undefined) {
    sections.push(
      table({
        id: 'reconciliation',
        title: 'Reconciliation with the claimed figures 对账',
        heading: L.reconciliation,
        ...labels('figure', 'claimed', 'computed', 'difference'),
        rows: statement.reconciliation.map((r) => [text(r.figure), money(r.claimed), money(r.computed), money(r.difference, nonZero(r.difference))]),
      }),
    );
  }
  const counts = statement.counts;
  sections.push(
    table({
      id: 'counts',
      title: 'Input counted 输入计数',
      heading: L.counts,
      ...labels('transactions', 'returns', 'lines', 'externalSales'),
      rows: [[num(counts.transactions), num(counts.returns), num(counts.lines), num(counts.externalSales)]],
    }),
  );
  return sections;
}

/** A section of the few rows an array holds. */
function table(section: Omit<StatementSection, 'rowCount' | 'rows'> & { readonly rows: readonly (readonly StatementCell[])[] }): StatementSection {
  return { ...section, rowCount: section.rows.length };
}

function* discrepancyRows(discrepancies: Iterable<Discrepancy>): Generator<readonly StatementCell[]> {
  for (const d of discrepancies) {
    yield [text(d.transaction), text(d.sku), num(d.quantity), money(d.invoicedUnitPrice), money(d.agreedUnitPrice), money(d.invoicedAmount), money(d.agreedAmount), money(d.difference, true)];
  }
}

/** A declared figure's label in both languages, with who pays whom (the parties' names) when it is money owed. */
function figureLabel(figure: StatementFigure, parties: PrintableStatement['parties']): string {
  const name = (role: string): string => {
    const party = parties[role];
    return party === undefined ? role : party.name.zh === party.name.en ? party.name.zh : `${party.name.zh} ${party.name.en}`;
  };
  const owed = figure.payer === undefined || figure.payee === undefined ? '' : ` (${name(figure.payer)} → ${name(figure.payee)})`;
  return `${figure.label.zh} ${figure.label.en}${owed}`;
}

/** The statement's built-in totals (commission, compensation, gifts) that no declared figure names the same. */
function builtInTotals(statement: PrintableStatement): [string, string, string][] {
  const declared = new Set(statement.figures.map((figure) => figure.id));
  const totals: [string, string, string][] = [
    ['commission', statement.commission, '佣金合计 commission, all payees'],
    ['compensation', statement.compensation, '差价赔偿 price-guarantee compensation'],
    ['giftsValue', statement.giftsValue, '赠品价值 gifts at list value'],
  ];
  return totals.filter(([id]) => !declared.has(id));
}

/** The declared figures per group (each affiliate), one row each, when the statement is split. */
function groupSections(statement: PrintableStatement): StatementSection[] {
  const groups = statement.groups;
  if (groups === undefined) return [];
  const figures = groups.rows[0]?.figures ?? statement.figures;
  const party = statement.parties[groups.key];
  return [
    table({
      id: groups.section,
      title: `${groups.section} 分组`,
      heading: { zh: `${party?.name.zh ?? groups.key} ${L.groups.zh}`, en: `${L.groups.en}: ${groups.section}` },
      columns: [groups.key, ...figures.map((figure) => figure.id)],
      labels: [party === undefined ? { zh: groups.key, en: groups.key } : party.name, ...figures.map((figure) => figure.label)],
      rows: groups.rows.map((row) => [text(row.key), ...row.figures.map((figure) => money(figure.amount))]),
    }),
  ];
}
