import { DomainError } from '../domain/errors';
import type { OpenSettlementOptions } from '../rules/calculate-settlement';
import type { RuleCatalog } from '../rules/rule-catalog';
import { computeStatement, daysOf } from './compute-statement';
import { LedgerError } from './ledger-errors';
import type { LedgerStore, PeriodKey, PeriodState, PeriodSummary } from './ledger-store';
import { listProgrammes, monthFigures, type FiguresProblem, type MonthFigures, type PeriodFigure, type ProgrammeView } from './month-figures';
import type { LedgerStatementDocument } from './statement-document';

/** What to list: the months from … to (inclusive, yyyy-mm), with their figures or counts only. */
export interface PeriodListingOptions {
  /** False: state and counts only, nothing computed. Default true. */
  readonly figures?: boolean;
  readonly from?: PeriodKey;
  readonly to?: PeriodKey;
}

/** A month as listed: its state and counts; its figures to date, or why they could not be computed. */
export interface LedgerPeriodView extends PeriodSummary {
  readonly figures?: readonly PeriodFigure[];
  readonly figuresProblem?: FiguresProblem;
}

export interface PeriodListing {
  readonly periods: readonly LedgerPeriodView[];
  /** The quarter and year programmes of the listed months, to date; absent when figures are not asked for. */
  readonly programmes?: readonly ProgrammeView[];
}

type MonthOutcome = { readonly ok: MonthFigures } | { readonly problem: FiguresProblem };

interface Deps {
  readonly store: LedgerStore;
  readonly catalog: () => RuleCatalog;
  readonly settlementOptions?: OpenSettlementOptions;
}

/**
 * The ledger's months with their figures to date, and its quarter and year programmes. A closed
 * month's figures are read from its stored statement; an open month's are computed now from the
 * ledger with the code a close uses (computeStatement), nothing stored. Computing is what costs:
 * the figures of open months are kept per agreement under the ledger's change mark (read before
 * the ledger, so a write racing the computation only makes the next listing compute again) and
 * the rules served; those of closed months, which never change, under their statement id.
 */
export class PeriodListings {
  private readonly open = new Map<string, { readonly mark: string; readonly catalog: RuleCatalog; readonly months: Map<PeriodKey, Promise<MonthOutcome>> }>();
  private readonly closed = new Map<string, { readonly catalog: RuleCatalog; readonly outcome: Promise<MonthOutcome> }>();

  constructor(private readonly deps: Deps) {}

  async list(agreement: string, options: PeriodListingOptions = {}): Promise<PeriodListing> {
    const catalog = this.deps.catalog();
    catalog.versions(agreement);
    const inRange = (period: PeriodKey): boolean => (options.from === undefined || period >= options.from) && (options.to === undefined || period <= options.to);
    if (options.figures === false) return { periods: (await this.deps.store.listPeriods(agreement)).filter((p) => inRange(p.period)) };
    const mark = await this.deps.store.changeMark(agreement);
    const all = await this.deps.store.listPeriods(agreement);
    const periods: LedgerPeriodView[] = [];
    const computed: MonthFigures[] = [];
    for (const summary of all.filter((p) => inRange(p.period))) {
      const outcome = await this.outcome(catalog, agreement, mark, summary);
      if ('problem' in outcome) {
        periods.push({ ...summary, figuresProblem: outcome.problem });
        continue;
      }
      periods.push({ ...summary, figures: outcome.ok.figures });
      computed.push(outcome.ok);
    }
    const states = new Map<PeriodKey, PeriodState>(all.map((p) => [p.period, p.state]));
    return { periods, programmes: listProgrammes(computed, states) };
  }

  /** A month's figures: cached, else read from its statement (closed) or computed from the ledger (open). */
  private outcome(catalog: RuleCatalog, agreement: string, mark: string, summary: PeriodSummary): Promise<MonthOutcome> {
    if (summary.state === 'closed' && summary.statementId !== undefined) {
      const id = summary.statementId;
      const cached = this.closed.get(id);
      if (cached !== undefined && cached.catalog === catalog) return cached.outcome;
      return this.remember(this.closed, id, { catalog, outcome: this.storedFigures(catalog, agreement, id, summary.period) }, (entry) => entry.outcome);
    }
    let entry = this.open.get(agreement);
    if (entry === undefined || entry.mark !== mark || entry.catalog !== catalog) this.open.set(agreement, (entry = { mark, catalog, months: new Map() }));
    const cached = entry.months.get(summary.period);
    if (cached !== undefined) return cached;
    return this.remember(entry.months, summary.period, this.computedFigures(catalog, agreement, summary.period), (outcome) => outcome);
  }

  /** Keeps a pending result under `key`, forgotten if it fails (the failure is not a figure). */
  private remember<V>(map: Map<string, V>, key: string, value: V, outcome: (value: V) => Promise<MonthOutcome>): Promise<MonthOutcome> {
    map.set(key, value);
    const pending = outcome(value);
    pending.catch(() => {
      if (map.get(key) === value) map.delete(key);
    });
    return pending;
  }

  private async storedFigures(catalog: RuleCatalog, agreement: string, id: string, period: PeriodKey): Promise<MonthOutcome> {
    const stored = await this.deps.store.statement(id);
    if (stored === undefined) return { problem: { code: 'UNKNOWN_STATEMENT', detail: `the statement ${id} of the closed month ${period} is not in the ledger` } };
    const { statement } = JSON.parse(stored.body) as LedgerStatementDocument;
    return { ok: monthFigures(statement, catalog.versionByHash(agreement, statement.rulesetVersion)?.version, period) };
  }

  private async computedFigures(catalog: RuleCatalog, agreement: string, period: PeriodKey): Promise<MonthOutcome> {
    try {
      const { statement } = await computeStatement(catalog, this.deps.store, agreement, period, this.deps.settlementOptions);
      return { ok: monthFigures(statement, catalog.versionByHash(agreement, statement.rulesetVersion)?.version, period) };
    } catch (error) {
      if (!(error instanceof DomainError) && !(error instanceof LedgerError)) throw error;
      const only = error.issues.length === 1 ? error.issues[0]!.code : undefined;
      const days = daysOf(period);
      return { problem: { code: only ?? error.code, detail: `the figures of ${days.from} … ${days.to} cannot be computed: ${error.message}` } };
    }
  }
}
