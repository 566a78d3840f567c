// The ledger page's two tables as plain data: the months of GET /v1/ledgers/{agreement}/periods
// (counts, then each statement figure the API answers as a column, net last) and the rebate
// programmes (quarter, year) with their volume and rebate to date. Pure: no DOM, no pricing —
// every figure is the API's decimal string, only grouped — so a plain jest test can read it.
import { grouped, percent } from './decimal-text';

export type TableLang = 'zh' | 'en';
export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export interface PeriodFigure {
  readonly id: string;
  readonly label: Bilingual;
  readonly payer?: string;
  readonly payee?: string;
  readonly amount: string;
  readonly net?: boolean;
}

export interface LedgerPeriod {
  readonly period: string;
  readonly state: 'open' | 'closed';
  readonly transactions: number;
  readonly returns: number;
  readonly adjustments: number;
  readonly closedAt?: string;
  readonly statementId?: string;
  readonly figures?: readonly PeriodFigure[];
  readonly figuresProblem?: { readonly code: string; readonly detail?: string };
}

export interface ProgrammeTier {
  readonly from: string;
  readonly rate: string;
}

export interface LedgerProgramme {
  readonly programme: string;
  readonly label: Bilingual;
  readonly kind: 'quarter' | 'year';
  readonly period: string;
  readonly months: readonly string[];
  readonly state: 'open' | 'closed';
  readonly asOf: string;
  readonly volumeToDate: string;
  readonly rebateToDate: string;
  readonly tier?: ProgrammeTier;
  readonly nextTier?: ProgrammeTier;
  readonly final: boolean;
}

export interface LedgerPeriods {
  readonly agreement: string;
  readonly periods: readonly LedgerPeriod[];
  readonly programmes?: readonly LedgerProgramme[];
}

export interface Column {
  readonly id: string;
  readonly label: string;
  readonly numeric: boolean;
  /** The net figure (the one the parties settle), shown last and emphasised. */
  readonly net?: boolean;
}

export interface PeriodRow {
  readonly period: string;
  readonly state: 'open' | 'closed';
  readonly closable: boolean;
  readonly statementId?: string;
  /** One text per column of `columns` before the figure columns. */
  readonly counts: readonly string[];
  /** One text per figure column ('' when the month has no such figure). */
  readonly figures: readonly string[];
  /** Why the month has no figures, in place of them. */
  readonly problem?: string;
}

export interface PeriodsTable {
  readonly columns: readonly Column[];
  readonly figureColumns: readonly Column[];
  readonly rows: readonly PeriodRow[];
}

export interface ProgrammesTable {
  readonly columns: readonly Column[];
  readonly rows: readonly { readonly programme: string; readonly period: string; readonly final: boolean; readonly cells: readonly string[] }[];
}

const TEXT = {
  zh: {
    month: '月份', state: '状态', transactions: '交易', returns: '退货', adjustments: '前期调整', figures: '结算数字',
    open: '未结账', closed: '已结账', programme: '返点方案', kind: '类型', quarter: '季度', year: '年度', period: '期间', months: '月份',
    asOf: '截至', volumeToDate: '累计业务额', tier: '已达档位', nextTier: '下一档门槛', rebateToDate: '累计返点', final: '是否最终', isFinal: '最终', provisional: '暂计',
    from: (rate: string, from: string) => `${rate}（自 ${from} 起）`, next: (from: string, rate: string) => `${from} → ${rate}`, none: '—',
  },
  en: {
    month: 'Month', state: 'State', transactions: 'Transactions', returns: 'Returns', adjustments: 'Adjustments', figures: 'Figures',
    open: 'Open', closed: 'Closed', programme: 'Programme', kind: 'Kind', quarter: 'Quarter', year: 'Year', period: 'Period', months: 'Months',
    asOf: 'As of', volumeToDate: 'Volume to date', tier: 'Tier reached', nextTier: 'Next threshold', rebateToDate: 'Rebate to date', final: 'Final', isFinal: 'final', provisional: 'to date',
    from: (rate: string, from: string) => `${rate} (from ${from})`, next: (from: string, rate: string) => `${from} → ${rate}`, none: '—',
  },
} as const;

/** The text of a month's state in the language. */
export function stateText(state: 'open' | 'closed', lang: TableLang): string {
  return TEXT[lang][state];
}

/** The figure columns of the months: every figure id in the order the API declares them, net last. */
function figureColumnsOf(periods: readonly LedgerPeriod[], lang: TableLang): Column[] {
  const columns = new Map<string, Column>();
  for (const period of periods) {
    for (const figure of period.figures ?? []) {
      if (!columns.has(figure.id)) columns.set(figure.id, { id: figure.id, label: figure.label[lang] ?? figure.id, numeric: true, ...(figure.net === true ? { net: true } : {}) });
    }
  }
  const ordered = [...columns.values()];
  const figures = [...ordered.filter((c) => c.net !== true), ...ordered.filter((c) => c.net === true)];
  // a month whose figures could not be computed still needs a column to say why
  if (figures.length === 0 && periods.some((p) => p.figuresProblem !== undefined)) return [{ id: 'figures', label: TEXT[lang].figures, numeric: false }];
  return figures;
}

/** The months table: month, state, counts, then the statement figures (amounts grouped) or the reason there are none. */
export function periodsTable(body: LedgerPeriods, lang: TableLang): PeriodsTable {
  const t = TEXT[lang];
  const columns: Column[] = [
    { id: 'period', label: t.month, numeric: false },
    { id: 'state', label: t.state, numeric: false },
    { id: 'transactions', label: t.transactions, numeric: true },
    { id: 'returns', label: t.returns, numeric: true },
    { id: 'adjustments', label: t.adjustments, numeric: true },
  ];
  const figureColumns = figureColumnsOf(body.periods, lang);
  const rows = body.periods.map((p): PeriodRow => {
    const amounts = new Map((p.figures ?? []).map((f) => [f.id, grouped(f.amount)]));
    return {
      period: p.period,
      state: p.state,
      closable: p.state === 'open',
      ...(p.statementId === undefined ? {} : { statementId: p.statementId }),
      counts: [p.period, t[p.state], String(p.transactions), String(p.returns), String(p.adjustments)],
      figures: figureColumns.map((c) => amounts.get(c.id) ?? ''),
      ...(p.figuresProblem === undefined ? {} : { problem: `${p.figuresProblem.code}${p.figuresProblem.detail === undefined ? '' : `: ${p.figuresProblem.detail}`}` }),
    };
  });
  return { columns, figureColumns, rows };
}

/** The programme periods (quarter, year): volume and rebate to date, the tier reached and the next, final or to date. */
export function programmesTable(programmes: readonly LedgerProgramme[] | undefined, lang: TableLang): ProgrammesTable {
  const t = TEXT[lang];
  const columns: Column[] = [
    { id: 'programme', label: t.programme, numeric: false },
    { id: 'kind', label: t.kind, numeric: false },
    { id: 'period', label: t.period, numeric: false },
    { id: 'months', label: t.months, numeric: false },
    { id: 'state', label: t.state, numeric: false },
    { id: 'asOf', label: t.asOf, numeric: false },
    { id: 'volumeToDate', label: t.volumeToDate, numeric: true },
    { id: 'tier', label: t.tier, numeric: true },
    { id: 'nextTier', label: t.nextTier, numeric: true },
    { id: 'rebateToDate', label: t.rebateToDate, numeric: true },
    { id: 'final', label: t.final, numeric: false },
  ];
  const rows = (programmes ?? []).map((p) => ({
    programme: p.programme,
    period: p.period,
    final: p.final,
    cells: [
      p.label[lang] ?? p.programme,
      t[p.kind],
      p.period,
      p.months.join(', '),
      t[p.state],
      p.asOf,
      grouped(p.volumeToDate),
      p.tier === undefined ? t.none : t.from(percent(p.tier.rate), grouped(p.tier.from)),
      p.nextTier === undefined ? t.none : t.next(grouped(p.nextTier.from), percent(p.nextTier.rate)),
      grouped(p.rebateToDate),
      p.final ? t.isFinal : t.provisional,
    ],
  }));
  return { columns, rows };
}
