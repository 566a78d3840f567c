import type { AttributeDeclaration } from '../domain/agreement';
import type { AttributeValue, QuoteInput } from '../domain/quote';
import { Dec } from '../domain/money';
import type { LoadedVersion } from './load-rules';
import { isLeaf, type ConditionJson, type LeafConditionJson, type TierJson } from './rule-json';

/** The API's limits (openapi.yaml): quantities per line and lines per quote. */
export const MAX_LINE_QUANTITY = 1_000_000;
export const MAX_LINES = 500;

/**
 * One request the lint prices: line 0 is the line under test; any further lines only make
 * up the order's line count and total quantity.
 */
export interface Scenario {
  readonly input: QuoteInput;
}

/**
 * Every distinct situation a version's rules can tell apart, as quote requests: each channel,
 * each member/key-account combination, each buyer id a condition names (plus one it does
 * not), each SKU, and quantities, totals, line counts and dates on both sides of every
 * boundary the rules draw (tier bounds, decimal and date conditions, validFrom/validTo),
 * up to the API's largest order. Rule outcomes are constant between neighbouring
 * boundaries, so checking these is checking every request, without sampling.
 *
 * @param until the next version's effectiveFrom (exclusive), when there is one
 */
export function enumerateScenarios(loaded: LoadedVersion, until?: string): Scenario[] {
  const json = loaded.agreementJson;
  const bounds = collectBoundaries(loaded);
  const from = json.effectiveFrom;
  const dates = [...new Set([from, ...bounds.dates])].filter((date) => date >= from && (until === undefined || date < until)).sort();
  const quantities = integersIn(bounds.decimals.get('line.quantity'), [1, MAX_LINE_QUANTITY], 1, MAX_LINE_QUANTITY);
  const lineCounts = integersIn(bounds.decimals.get('order.lineCount'), [1, 2], 1, MAX_LINES);
  const totals = integersIn(bounds.decimals.get('order.totalQuantity'), [MAX_LINES * MAX_LINE_QUANTITY], 1, MAX_LINES * MAX_LINE_QUANTITY);
  const buyerIds = [...bounds.buyerIds, unusedId(bounds.buyerIds)];
  const buyers = attributeCombinations(loaded.version.attributes.buyer, 'buyer', bounds);
  const orderAttributes = attributeCombinations(loaded.version.attributes.order, 'order', bounds);
  const coupons: (string | null)[] = [null, ...loaded.version.coupons.keys()];

  const shapes: { quantity: number; lineCount: number; total: number }[] = [];
  for (const quantity of quantities) {
    for (const lineCount of lineCounts) {
      if (lineCount === 1) {
        shapes.push({ quantity, lineCount, total: quantity });
        continue;
      }
      const least = quantity + lineCount - 1;
      for (const total of new Set([least, ...totals.filter((t) => t >= least)])) shapes.push({ quantity, lineCount, total });
    }
  }

  const scenarios: Scenario[] = [];
  const filler = json.catalog[0]!.sku;
  for (const date of dates)
    for (const channel of json.channels)
      for (const id of buyerIds)
        for (const buyer of buyers)
          for (const attributes of orderAttributes)
            for (const coupon of coupons)
              for (const item of json.catalog)
                for (const shape of shapes) {
                  const lines = [{ sku: item.sku, quantity: shape.quantity }];
                  for (let i = 1; i < shape.lineCount; i++) {
                    const rest = shape.total - shape.quantity - (shape.lineCount - 2);
                    lines.push({ sku: filler, quantity: i === shape.lineCount - 1 ? rest : 1 });
                  }
                  scenarios.push({
                    input: {
                      agreement: json.agreement,
                      channel: channel.id,
                      date,
                      buyer: { id, ...buyer },
                      ...(orderAttributes.length > 1 || Object.keys(attributes).length > 0 ? { attributes } : {}),
                      ...(coupon === null ? {} : { coupon }),
                      lines,
                    },
                  });
                }
  return scenarios;
}

/**
 * Every combination of values the declared attributes can take that the conditions tell
 * apart: both booleans, each string or enum value a condition names plus one it does not
 * (null), and decimals on both sides of each boundary the conditions draw.
 */
function attributeCombinations(declared: ReadonlyMap<string, AttributeDeclaration>, scope: 'buyer' | 'order', bounds: Boundaries): Record<string, AttributeValue>[] {
  let combinations: Record<string, AttributeValue>[] = [{}];
  for (const [name, declaration] of declared) {
    const fact = `${scope}.${name}`;
    let values: AttributeValue[];
    switch (declaration.type) {
      case 'boolean':
        values = [false, true];
        break;
      case 'string':
      case 'enum':
        values = [null, ...(bounds.texts.get(fact) ?? [])];
        break;
      case 'decimal':
        values = [null, ...new Set((bounds.decimals.get(fact) ?? []).flatMap((b) => [b.minus('0.01'), b, b.plus('0.01')]).map((d) => d.toFixed(2)))];
        break;
    }
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [name]: value })));
  }
  return combinations;
}

/** Decimal values a version's conditions compare `period.volume` with (settlement-time facts). */
export function periodVolumeBoundaries(loaded: LoadedVersion): string[] {
  const values = collectBoundaries(loaded).decimals.get('period.volume') ?? [];
  const out = new Set<string>();
  for (const value of values) for (const delta of ['-0.01', '0', '0.01']) out.add(value.plus(delta).toFixed(2));
  return [...out].filter((v) => !v.startsWith('-')).sort();
}

interface Boundaries {
  readonly decimals: Map<string, Dec[]>;
  readonly dates: string[];
  readonly buyerIds: string[];
  /** Text values conditions compare declared text attributes with. */
  readonly texts: Map<string, string[]>;
}

function collectBoundaries(loaded: LoadedVersion): Boundaries {
  const decimals = new Map<string, Dec[]>();
  const add = (fact: string, value: Dec): void => {
    decimals.set(fact, [...(decimals.get(fact) ?? []), value]);
  };
  const dates: string[] = [];
  const buyerIds = new Set<string>();
  const texts = new Map<string, string[]>();
  for (const rule of loaded.rules) {
    if (rule.validFrom !== undefined) dates.push(rule.validFrom, shiftDay(rule.validFrom, -1));
    if (rule.validTo !== undefined) dates.push(rule.validTo, shiftDay(rule.validTo, 1));
    visitLeaves(rule.conditions, (leaf) => {
      const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
      for (const value of values) {
        if (leaf.fact === 'date' && typeof value === 'string') dates.push(shiftDay(value, -1), value, shiftDay(value, 1));
        else if (leaf.fact === 'buyer.id' && typeof value === 'string') buyerIds.add(value);
        else if (typeof value === 'string' && /^(buyer|order)\./.test(leaf.fact) && !isFiniteDecimal(value)) texts.set(leaf.fact, [...new Set([...(texts.get(leaf.fact) ?? []), value])]);
        else if ((typeof value === 'string' || typeof value === 'number') && isFiniteDecimal(value)) add(leaf.fact, new Dec(value));
      }
    });
    const params = rule.event.params;
    // settlement tiers (basis period.volume) never change a quote; only conditions on period.volume matter
    const basis = params['basis'];
    if (Array.isArray(params['tiers']) && typeof basis === 'string' && basis !== 'period.volume') {
      for (const tier of params['tiers'] as TierJson[]) {
        add(basis, new Dec(tier.from));
        if (tier.to !== undefined) add(basis, new Dec(tier.to));
      }
    }
  }
  return { decimals, dates: dates.filter(isCalendarDate), buyerIds: [...buyerIds].sort(), texts };
}

/** The whole numbers on both sides of each boundary, the defaults, clipped to [min, max]. */
function integersIn(boundaries: readonly Dec[] | undefined, defaults: readonly number[], min: number, max: number): number[] {
  const out = new Set<number>(defaults);
  for (const b of boundaries ?? []) {
    const floor = b.floor().toNumber();
    for (const n of [floor - 1, floor, floor + 1, b.ceil().toNumber()]) out.add(n);
  }
  return [...out].filter((n) => n >= min && n <= max).sort((a, b) => a - b);
}

function visitLeaves(condition: ConditionJson, visit: (leaf: LeafConditionJson) => void): void {
  if (isLeaf(condition)) visit(condition);
  else if ('all' in condition) condition.all.forEach((child) => visitLeaves(child, visit));
  else if ('any' in condition) condition.any.forEach((child) => visitLeaves(child, visit));
  else visitLeaves(condition.not, visit);
}

function isFiniteDecimal(value: string | number): boolean {
  return typeof value === 'number' ? Number.isFinite(value) : /^-?(0|[1-9]\d*)(\.\d+)?$/.test(value);
}

function isCalendarDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** The ISO date `days` days after `date` (negative: before). */
export function shiftDay(date: string, days: number): string {
  const time = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(time) ? date : new Date(time + days * 86_400_000).toISOString().slice(0, 10);
}

function unusedId(ids: readonly string[]): string {
  let id = 'LINT-OTHER-BUYER';
  while (ids.includes(id)) id += '-X';
  return id;
}
