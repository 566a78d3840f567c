import type { Label } from './agreement';
import { MoneySum } from './money-sum';
import { Dec, ZERO } from './money';

/**
 * What a settlement statement shows, as an agreement declares it (agreement.json `statement`):
 * its figures — each a sum of line amounts of some channels, or of what a term type computed —
 * with their names, labels and who pays whom, and the net that settles the period. With `per`,
 * the figures are given once per value of an order attribute (each affiliate) as well as in all.
 */
export interface StatementDeclaration {
  readonly per?: { readonly fact: string; readonly section: string; readonly key: string };
  readonly figures: readonly FigureDeclaration[];
  readonly net?: NetDeclaration;
}

export interface FigureDeclaration {
  readonly id: string;
  readonly label: Label;
  /** Party roles: who owes the figure to whom; absent on a figure that is information only (a volume). */
  readonly payer?: string;
  readonly payee?: string;
  readonly from: FigureSource;
}

/** What a figure sums. */
export type FigureSource =
  | { readonly amounts: { readonly channels: readonly string[] } }
  | { readonly term: 'commission'; readonly payee?: string | { readonly attribute: string } }
  | { readonly term: 'rebate-settlement' | 'price-guarantee' | 'free-goods' | 'accelerator' | 'clawback' };

export interface NetDeclaration {
  readonly id: string;
  readonly label: Label;
  readonly payer?: string;
  readonly payee?: string;
  readonly plus: readonly string[];
  readonly minus: readonly string[];
}

/** One figure of a statement, as the statement shows it. */
export interface StatementFigure {
  readonly id: string;
  readonly label: Label;
  readonly payer?: string;
  readonly payee?: string;
  readonly amount: string;
}

/** A declared figure (or the net) and its value, before it is presented (present-statement.ts). */
export interface FigureValue {
  readonly declaration: FigureDeclaration | NetDeclaration;
  readonly value: Dec;
}

/** The term-driven totals of a period that figures may name, per group (the '' group is the whole period). */
export interface TermTotals {
  readonly compensation: Dec;
  readonly giftsValue: Dec;
  readonly rebatePaid: Dec;
}

/**
 * Collects, while a period is settled, what the declared figures sum: line amounts per channel
 * and commissions per payee (a party role, or the attribute that names the payee), clawbacks
 * and accelerators, in all and per group. Memory grows with the number of groups (affiliates),
 * never with the number of lines.
 */
export class FigureBook {
  private readonly groups = new Map<string, GroupSums>();

  constructor(
    private readonly declaration: StatementDeclaration,
    private readonly scale: number,
  ) {}

  /** The declaration's `per` fact, or undefined when the statement is not split. */
  get perFact(): string | undefined {
    return this.declaration.per?.fact;
  }

  /** A priced piece of a line (a sale line, or the returned part of one). */
  addAmount(group: string | undefined, channel: string, amount: Dec): void {
    for (const sums of this.sumsOf(group)) sums.amount(channel).add(amount);
  }

  /** A commission on a piece, by its payee source: a party role, or the attribute naming the payee (`order.affiliate`). */
  addCommission(group: string | undefined, payeeSource: string, commission: Dec): void {
    for (const sums of this.sumsOf(group)) sums.commission(payeeSource).add(commission);
  }

  addClawback(group: string | undefined, clawback: Dec): void {
    for (const sums of this.sumsOf(group)) sums.clawback.add(clawback);
  }

  addAccelerator(group: string | undefined, accelerator: Dec): void {
    for (const sums of this.sumsOf(group)) sums.accelerator.add(accelerator);
  }

  /** The groups seen (values of the `per` fact), sorted. */
  groupKeys(): string[] {
    return [...this.groups.keys()].filter((key) => key !== '').sort();
  }

  /** The volume of one group over the given channels (an accelerator's basis). */
  groupAmount(group: string, channels: Iterable<string>): Dec {
    const sums = this.groups.get(group);
    if (sums === undefined) return ZERO;
    let total = ZERO;
    for (const channel of channels) total = total.plus(sums.amounts.get(channel)?.value ?? ZERO);
    return total;
  }

  /** The declared figures and the net of a group ('' = the whole period), in declaration order, as values. */
  figures(group: string, totals: TermTotals): FigureValue[] {
    const sums = this.groups.get(group) ?? new GroupSums(this.scale);
    const values = new Map<string, Dec>();
    const figures: FigureValue[] = this.declaration.figures.map((figure) => {
      const value = this.valueOf(figure.from, sums, group === '' ? totals : undefined);
      values.set(figure.id, value);
      return { declaration: figure, value };
    });
    const net = this.declaration.net;
    if (net !== undefined) {
      let value = ZERO;
      for (const id of net.plus) value = value.plus(values.get(id) ?? ZERO);
      for (const id of net.minus) value = value.minus(values.get(id) ?? ZERO);
      figures.push({ declaration: net, value });
    }
    return figures;
  }

  private valueOf(source: FigureSource, sums: GroupSums, totals: TermTotals | undefined): Dec {
    if ('amounts' in source) {
      let total = ZERO;
      for (const channel of source.amounts.channels) total = total.plus(sums.amounts.get(channel)?.value ?? ZERO);
      return total;
    }
    switch (source.term) {
      case 'commission': {
        if (source.payee !== undefined) return sums.commissions.get(payeeSource(source.payee))?.value ?? ZERO;
        let total = ZERO;
        for (const sum of sums.commissions.values()) total = total.plus(sum.value);
        return total;
      }
      case 'clawback':
        return sums.clawback.value;
      case 'accelerator':
        return sums.accelerator.value;
      case 'rebate-settlement':
        return totals?.rebatePaid ?? ZERO;
      case 'price-guarantee':
        return totals?.compensation ?? ZERO;
      case 'free-goods':
        return totals?.giftsValue ?? ZERO;
    }
  }

  /** The sums a piece adds to: the whole period's, and its group's when the statement is split. */
  private sumsOf(group: string | undefined): GroupSums[] {
    const all = this.group('');
    return group === undefined || this.declaration.per === undefined ? [all] : [all, this.group(group)];
  }

  private group(key: string): GroupSums {
    let sums = this.groups.get(key);
    if (sums === undefined) this.groups.set(key, (sums = new GroupSums(this.scale)));
    return sums;
  }
}

/** How commissions are told apart by payee: the party role, or the attribute that names the payee (`order.affiliate`). */
export function payeeSource(payee: string | { readonly attribute: string }): string {
  return typeof payee === 'string' ? payee : payee.attribute;
}

class GroupSums {
  readonly amounts = new Map<string, MoneySum>();
  readonly commissions = new Map<string, MoneySum>();
  readonly clawback: MoneySum;
  readonly accelerator: MoneySum;

  constructor(private readonly scale: number) {
    this.clawback = new MoneySum(scale);
    this.accelerator = new MoneySum(scale);
  }

  amount(channel: string): MoneySum {
    let sum = this.amounts.get(channel);
    if (sum === undefined) this.amounts.set(channel, (sum = new MoneySum(this.scale)));
    return sum;
  }

  commission(payeeSource: string): MoneySum {
    let sum = this.commissions.get(payeeSource);
    if (sum === undefined) this.commissions.set(payeeSource, (sum = new MoneySum(this.scale)));
    return sum;
  }
}
