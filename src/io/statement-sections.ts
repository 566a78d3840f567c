import type { StatementFigure } from '../domain/statement-figures';
import type { Discrepancy, SettlementStatement } from '../domain/settlement';

/** A statement as the presenters read it: its discrepancies an array, or a list read back one at a time. */
export interface PrintableStatement extends Omit<SettlementStatement, 'discrepancies'> {
  readonly discrepancies: Iterable<Discrepancy> & { readonly length: number };
}

/** A cell of a printed statement: text, or a decimal / whole number (kept as its exact string). */
export interface StatementCell {
  readonly value: string;
  readonly kind: 'text' | 'number';
  /** Worth the reader's eye: a breach, a discrepancy, a claim that disagrees. */
  readonly flagged?: boolean;
}

/** One table of a printed statement: its rows are read once, as they are written (the discrepancies may be millions). */
export interface StatementSection {
  readonly id: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rowCount: number;
  readonly rows: Iterable<readonly StatementCell[]>;
}

const text = (value: string, flagged = false): StatementCell => ({ value, kind: 'text', ...(flagged ? { flagged } : {}) });
const num = (value: string | number, flagged = false): StatementCell => ({ value: String(value), kind: 'number', ...(flagged ? { flagged } : {}) });
const nonZero = (amount: string): boolean => !/^-?0(\.0+)?$/.test(amount);

/**
 * The statement as the tables a person reads, in order: the heading, the figures, rebates,
 * price-guarantee breaches, discrepancies, the reconciliation (when claims were given) and the
 * counts. CSV and HTML both render these, so they always show the same figures.
 */
export function statementSections(statement: PrintableStatement): StatementSection[] {
  const sections: StatementSection[] = [
    table({
      id: 'statement',
      title: 'Settlement statement 结算单',
      columns: ['field', 'value'],
      rows: [
        [text('agreement'), text(statement.agreement)],
        [text('periodFrom'), text(statement.period.from)],
        [text('periodTo'), text(statement.period.to)],
        [text('currency'), text(statement.currency)],
        [text('rulesetVersion'), text(statement.rulesetVersion)],
        [text('effectiveFrom'), text(statement.effectiveFrom)],
      ],
    }),
    table({
      id: 'figures',
      title: 'Figures 汇总',
      columns: ['figure', 'amount', 'label'],
      rows: [
        ...Object.entries(statement.volume).map(([channel, amount]) => [text(`volume/${channel}`), num(amount), text(`业务额 volume, ${channel}`)]),
        // the built-in totals the agreement does not declare under the same name
        ...builtInTotals(statement).map(([id, amount, label]) => [text(id), num(amount, id === 'compensation' && nonZero(amount)), text(label)]),
        // the figures the agreement declares, with its own labels and who pays whom; the net last
        ...statement.figures.map((figure) => [text(figure.id), num(figure.amount), text(figureLabel(figure, statement.parties))]),
      ],
    }),
    ...groupSections(statement),
    ...(statement.programmes === undefined
      ? []
      : [
          table({
            id: 'programmes',
            title: 'Programme rebates 周期返利',
            columns: ['ruleId', 'periodFrom', 'periodTo', 'volumeToDate', 'tierFrom', 'tierTo', 'rate', 'closes', 'rebate'],
            rows: statement.programmes.map((p) => [text(p.ruleId), text(p.period.from), text(p.period.to), num(p.volumeToDate), num(p.tier.from), text(p.tier.to ?? ''), num(p.tier.rate), text(String(p.closes)), num(p.rebate)]),
          }),
        ]),
    ...(statement.clawbacks === undefined
      ? []
      : [
          table({
            id: 'clawbacks',
            title: 'Clawbacks 佣金追回',
            columns: ['transaction', 'returnOf', 'group', 'sku', 'quantity', 'amount', 'daysAfterSale', 'rate', 'clawback'],
            rows: statement.clawbacks.map((c) => [text(c.transaction), text(c.returnOf), text(c.group ?? ''), text(c.sku), num(c.quantity), num(c.amount), num(c.daysAfterSale), num(c.rate), num(c.clawback)]),
          }),
        ]),
    table({
      id: 'rebates',
      title: 'Rebates 返点',
      columns: ['buyer', 'volume', 'accrued', 'rate', 'final', 'trueUp', 'ruleId'],
      rows: statement.rebates.map((r) => [text(r.buyer), num(r.volume), num(r.accrued), num(r.rate), num(r.final), num(r.trueUp, nonZero(r.trueUp)), text(r.ruleId)]),
    }),
    table({
      id: 'priceGuarantee',
      title: 'Price guarantee breaches 最低折扣保证',
      columns: ['sku', 'lowestFactor', 'lowestUnitPrice', 'institution', 'breach', 'compensation'],
      rows: statement.priceGuarantee.map((g) => [text(g.sku), num(g.lowestFactor), num(g.lowestUnitPrice), text(g.institution), text(String(g.breach), true), num(g.compensation)]),
    }),
    {
      id: 'discrepancies',
      title: 'Invoice discrepancies 发票差异',
      columns: ['transaction', 'sku', 'quantity', 'invoicedUnitPrice', 'agreedUnitPrice', 'invoicedAmount', 'agreedAmount', 'difference'],
      rowCount: statement.discrepancies.length,
      rows: discrepancyRows(statement.discrepancies),
    },
  ];
  if (statement.reconciliation !== undefined) {
    sections.push(
      table({
        id: 'reconciliation',
        title: 'Reconciliation with the claimed figures 对账',
        columns: ['figure', 'claimed', 'computed', 'difference'],
        rows: statement.reconciliation.map((r) => [text(r.figure), num(r.claimed), num(r.computed), num(r.difference, nonZero(r.difference))]),
      }),
    );
  }
  const counts = statement.counts;
  sections.push(
    table({
      id: 'counts',
      title: 'Input counted 输入计数',
      columns: ['transactions', 'returns', 'lines', 'externalSales'],
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
    yield [text(d.transaction), text(d.sku), num(d.quantity), num(d.invoicedUnitPrice), num(d.agreedUnitPrice), num(d.invoicedAmount), num(d.agreedAmount), num(d.difference, true)];
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
  const ids = groups.rows[0]?.figures.map((figure) => figure.id) ?? statement.figures.map((figure) => figure.id);
  return [
    table({
      id: groups.section,
      title: `${groups.section} 分组`,
      columns: [groups.key, ...ids],
      rows: groups.rows.map((row) => [text(row.key), ...row.figures.map((figure) => num(figure.amount))]),
    }),
  ];
}
