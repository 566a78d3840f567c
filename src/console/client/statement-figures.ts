/// <reference lib="dom" />
// A statement's headline figures as the console shows them: each figure's label, its amount
// (grouped) and who pays whom. Shared by the settlement page (a computed statement) and the
// ledger and archive pages (a stored one).
import { el, labelOf, money, type Label } from './common';

export interface StatementFigure {
  readonly id: string;
  readonly label: Label;
  readonly amount: string;
  readonly payer?: string;
  readonly payee?: string;
}

export interface StatementParties {
  readonly parties?: Record<string, { readonly id: string; readonly name: Label }>;
}

/** The party of a role (`supplier`, `partner`, …) by its name in the page's language. */
export function partyName(statement: StatementParties, role: string): string {
  const party = statement.parties?.[role];
  return party === undefined ? role : labelOf(party.name, party.id);
}

/** The figures as a definition list: `[data-figure=<id>] dd.amount` holds each amount. */
export function figuresList(statement: StatementParties, figures: readonly StatementFigure[]): HTMLElement {
  return el(
    'dl',
    { class: 'figures' },
    ...figures.map((f) =>
      el('div', { class: 'figure', 'data-figure': f.id }, el('dt', {}, labelOf(f.label, f.id)), el('dd', { class: 'amount' }, money(f.amount)), f.payer === undefined || f.payee === undefined ? null : el('dd', { class: 'hint' }, `${partyName(statement, f.payer)} → ${partyName(statement, f.payee)}`)),
    ),
  );
}
