import type { AgreementVersion, AttributeDeclaration, CatalogItem } from './agreement';
import { DomainError, type DomainErrorCode, type FieldIssue } from './errors';
import { Dec, ZERO, isDecimalText } from './money';
import { listPriceFact } from './pricing-plan';
import type { AttributeValue, QuoteInput } from './quote';

/**
 * What a condition may compare a fact with: text and booleans with the identity operators,
 * decimals with the decimal operators, dates with the date operators, lists with contains.
 */
export type FactType = 'text' | 'boolean' | 'decimal' | 'date' | 'list';

/** A fact a rule condition may name. */
export interface FactSpec {
  readonly name: string;
  readonly type: FactType;
  /** The params a parameterised fact takes (`order.skuQuantity` with `{ "sku": … }`): all optional unless listed in `required`. */
  readonly params?: readonly string[];
  readonly required?: readonly string[];
  /** Catalog or agreement values a text fact can take, for the rule checks. */
  readonly known?: 'channel' | 'sku' | 'category' | 'tag' | 'coupon';
}

/** A name of a fact; declared attributes (`buyer.<name>`, `order.<name>`) and parameterised facts make it open. */
export type FactName = string;
export type FactValue = string | number | boolean | null | readonly string[];
export type Facts = Readonly<Record<FactName, FactValue>>;

/** The facts every agreement has; `buyer.*` and `order.*` attributes are declared by each agreement. */
export const BUILT_IN_FACTS: readonly FactSpec[] = [
  { name: 'channel', type: 'text', known: 'channel' },
  { name: 'date', type: 'date' },
  { name: 'buyer.id', type: 'text' },
  { name: 'line.sku', type: 'text', known: 'sku' },
  { name: 'line.category', type: 'text', known: 'category' },
  { name: 'line.tags', type: 'list', known: 'tag' },
  { name: 'line.quantity', type: 'decimal' },
  { name: 'line.listPrice', type: 'decimal' },
  { name: 'line.listAmount', type: 'decimal' },
  { name: 'order.totalQuantity', type: 'decimal' },
  { name: 'order.lineCount', type: 'decimal' },
  { name: 'order.listAmount', type: 'decimal' },
  { name: 'order.coupon', type: 'text', known: 'coupon' },
  { name: 'order.skuQuantity', type: 'decimal', params: ['sku'], required: ['sku'] },
  { name: 'order.categoryQuantity', type: 'decimal', params: ['category'], required: ['category'] },
  { name: 'order.categoryListAmount', type: 'decimal', params: ['category'], required: ['category'] },
  { name: 'order.tagQuantity', type: 'decimal', params: ['tag'], required: ['tag'] },
  { name: 'order.distinctSkus', type: 'decimal', params: ['category', 'minQuantity'] },
  { name: 'period.volume', type: 'decimal' },
];

const FACT_TYPE_OF_ATTRIBUTE: Readonly<Record<AttributeDeclaration['type'], FactType>> = { boolean: 'boolean', string: 'text', decimal: 'decimal', enum: 'text' };

/** Every fact a version's conditions may name: the built-in ones and its declared attributes. */
export function factSpecsOf(attributes: { readonly buyer: ReadonlyMap<string, AttributeDeclaration>; readonly order: ReadonlyMap<string, AttributeDeclaration> }): Map<FactName, FactSpec> {
  const specs = new Map<FactName, FactSpec>(BUILT_IN_FACTS.map((spec) => [spec.name, spec]));
  for (const [scope, declared] of [['buyer', attributes.buyer], ['order', attributes.order]] as const) {
    for (const [name, declaration] of declared) specs.set(`${scope}.${name}`, { name: `${scope}.${name}`, type: FACT_TYPE_OF_ATTRIBUTE[declaration.type] });
  }
  return specs;
}

/** The key a parameterised fact has in a line's facts: `order.skuQuantity(sku=SKU-1)`, params sorted by name. */
export function paramFactKey(fact: string, params: Readonly<Record<string, string | number>>): FactName {
  const names = Object.keys(params).sort();
  return `${fact}(${names.map((name) => `${name}=${String(params[name])}`).join(',')})`;
}

/** A parameterised order fact a version's conditions read, computed once per order. */
export interface OrderFactUse {
  readonly key: FactName;
  readonly fact: string;
  readonly params: Readonly<Record<string, string | number>>;
}

/**
 * Checks that the input names a channel, SKUs, attributes and a coupon the agreement version
 * declares, with the declared types, collecting every problem (not just the first) with the
 * JSON pointer of the field. The problem's code is the issues' common code, else
 * INVALID_QUOTE_INPUT.
 */
export function checkQuoteInput(version: AgreementVersion, input: QuoteInput): void {
  const issues = quoteInputIssues(version, input);
  if (issues.length > 0) {
    const codes = new Set(issues.map((issue) => issue.code));
    const code = codes.size === 1 ? (issues[0]!.code as DomainErrorCode) : 'INVALID_QUOTE_INPUT';
    throw new DomainError(code, issues.map((issue) => issue.detail).join('; '), issues);
  }
}

/** Every problem {@link checkQuoteInput} finds, as a list (empty: the input names only what the version has). */
export function quoteInputIssues(version: AgreementVersion, input: QuoteInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!version.channels.has(input.channel)) {
    issues.push({
      pointer: '/channel',
      code: 'UNKNOWN_CHANNEL',
      detail: `channel ${JSON.stringify(input.channel)} is not one of ${[...version.channels.keys()].join(', ')}`,
    });
  }
  input.lines.forEach((line, i) => {
    if (!version.catalog.has(line.sku)) {
      issues.push({ pointer: `/lines/${i}/sku`, code: 'UNKNOWN_SKU', detail: `SKU ${JSON.stringify(line.sku)} is not in the catalog of ${version.agreement}` });
    }
  });
  issues.push(...declaredInputIssues(version, input));
  return issues;
}

/**
 * The problems of what an order says beyond its channel and lines: buyer and order attributes
 * the version does not declare or of another type (INVALID_ATTRIBUTE at `/buyer/<name>`,
 * `/attributes/<name>`), a coupon it does not list (UNKNOWN_COUPON at `/coupon`). Quotes and
 * settlement transactions are checked alike.
 */
export function declaredInputIssues(version: AgreementVersion, input: Pick<QuoteInput, 'buyer' | 'attributes' | 'coupon'>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  checkAttributes(input.buyer, 'id', version.attributes.buyer, '/buyer', issues);
  checkAttributes(input.attributes ?? {}, undefined, version.attributes.order, '/attributes', issues);
  if (input.coupon !== undefined && input.coupon !== null && !version.coupons.has(input.coupon)) {
    issues.push({
      pointer: '/coupon',
      code: 'UNKNOWN_COUPON',
      detail: `coupon ${JSON.stringify(input.coupon)} is not a code of ${version.agreement}${version.coupons.size === 0 ? ' (it declares none)' : ` (known: ${[...version.coupons.keys()].join(', ')})`}`,
    });
  }
  return issues;
}

function checkAttributes(
  given: Readonly<Record<string, unknown>>,
  skip: string | undefined,
  declared: ReadonlyMap<string, AttributeDeclaration>,
  pointer: string,
  issues: FieldIssue[],
): void {
  for (const [name, value] of Object.entries(given)) {
    if (name === skip || value === undefined) continue;
    const declaration = declared.get(name);
    const at = `${pointer}/${name}`;
    if (declaration === undefined) {
      issues.push({ pointer: at, code: 'INVALID_ATTRIBUTE', detail: `${name} is not an attribute this agreement declares${declared.size === 0 ? '' : ` (declared: ${[...declared.keys()].join(', ')})`}` });
    } else if (value !== null && !fitsDeclaration(value, declaration)) {
      issues.push({ pointer: at, code: 'INVALID_ATTRIBUTE', detail: `${name} must be ${describeDeclaration(declaration)} (got ${JSON.stringify(value)})` });
    }
  }
}

function fitsDeclaration(value: unknown, declaration: AttributeDeclaration): boolean {
  switch (declaration.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'decimal':
      return typeof value === 'string' && isDecimalText(value);
    case 'enum':
      return typeof value === 'string' && declaration.values !== undefined && declaration.values.includes(value);
    default:
      return assertNever(declaration.type);
  }
}

function describeDeclaration(declaration: AttributeDeclaration): string {
  switch (declaration.type) {
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'decimal':
      return 'a decimal string such as "10.00"';
    case 'enum':
      return `one of ${(declaration.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return assertNever(declaration.type);
  }
}

/** Exhaustiveness check for switches over closed unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** The value of a declared attribute as a fact: the given value, else false for a boolean, else null. */
/**
 * The order as its facts see it, in one canonical form: declared buyer and order attributes
 * given at their default (a boolean false, anything else null) left out as if not given, an
 * empty `attributes` and a null coupon dropped. Two inputs that price alike — a CSV row's
 * `member` written false, a JSON buyer without it — then read alike (the ledger keys a
 * transaction's content by it). Undeclared attributes are kept (the checks refuse them).
 */
export function withoutDefaultAttributes<T extends Pick<QuoteInput, 'buyer' | 'attributes' | 'coupon'>>(version: AgreementVersion, input: T): T {
  const trimmed = <V extends Readonly<Record<string, AttributeValue | undefined>>>(given: V, declared: ReadonlyMap<string, AttributeDeclaration>): V =>
    Object.fromEntries(Object.entries(given).filter(([name, value]) => value !== undefined && !isDefault(value, declared.get(name)))) as V;
  const { attributes, coupon, ...rest } = input;
  const order = attributes === undefined ? {} : trimmed(attributes, version.attributes.order);
  return {
    ...rest,
    buyer: { ...trimmed(input.buyer, version.attributes.buyer), id: input.buyer.id },
    ...(Object.keys(order).length === 0 ? {} : { attributes: order }),
    ...(coupon === undefined || coupon === null ? {} : { coupon }),
  } as unknown as T;
}

/** True when the value gives the fact a left-out attribute gives (see attributeFact). */
function isDefault(value: AttributeValue, declaration: AttributeDeclaration | undefined): boolean {
  return declaration !== undefined && attributeFact(value, declaration) === attributeFact(undefined, declaration);
}

function attributeFact(given: AttributeValue | undefined, declaration: AttributeDeclaration): FactValue {
  if (given !== undefined && given !== null) return given;
  return declaration.type === 'boolean' ? false : null;
}

/**
 * The facts of each line of a checked quote input, in line order: the built-in facts, the
 * declared buyer and order attributes (a boolean left out is false, anything else null) and
 * the parameterised order facts the version's conditions read, computed once per order.
 */
export function buildLineFacts(version: AgreementVersion, input: QuoteInput): Facts[] {
  let totalQuantity = 0;
  const items: CatalogItem[] = new Array<CatalogItem>(input.lines.length);
  for (let i = 0; i < input.lines.length; i++) {
    totalQuantity += input.lines[i]!.quantity;
    items[i] = version.catalog.get(input.lines[i]!.sku)!;
  }
  const coupon = input.coupon ?? null;
  const buyerFacts = attributeFacts(version.attributes.buyer, input.buyer, 'buyer.');
  const orderFacts = attributeFacts(version.attributes.order, input.attributes ?? {}, 'order.');
  const listAmount = version.readsOrderListAmount ? orderListAmount(input, items).toFixed(2) : undefined;
  const aggregates = version.orderFacts.map((use) => orderFact(use, input, items));

  const facts: Facts[] = new Array<Facts>(input.lines.length);
  for (let i = 0; i < input.lines.length; i++) {
    const line = input.lines[i]!;
    const item = items[i]!;
    // one object literal of the same shape for every line (V8 keeps it a fast object), then
    // the version's own facts in the same order every time
    const lineFacts: Record<FactName, FactValue> = {
      channel: input.channel,
      date: input.date,
      'buyer.id': input.buyer.id,
      'order.totalQuantity': totalQuantity,
      'order.lineCount': input.lines.length,
      'order.coupon': coupon,
      'period.volume': null,
      'line.sku': line.sku,
      'line.category': item.category,
      'line.tags': item.tags,
      'line.quantity': line.quantity,
      'line.listPrice': listPriceFact(item),
    };
    for (let k = 0; k < buyerFacts.length; k += 2) lineFacts[buyerFacts[k] as string] = buyerFacts[k + 1]!;
    for (let k = 0; k < orderFacts.length; k += 2) lineFacts[orderFacts[k] as string] = orderFacts[k + 1]!;
    if (listAmount !== undefined) lineFacts['order.listAmount'] = listAmount;
    if (version.readsLineListAmount) lineFacts['line.listAmount'] = item.listPrice.times(line.quantity).toFixed(2);
    for (let k = 0; k < aggregates.length; k++) lineFacts[version.orderFacts[k]!.key] = aggregates[k]!;
    facts[i] = lineFacts;
  }
  return facts;
}

/** The declared attributes as [fact name, value, fact name, value, …], in declaration order. */
function attributeFacts(declared: ReadonlyMap<string, AttributeDeclaration>, given: Readonly<Record<string, AttributeValue | undefined>>, prefix: string): FactValue[] {
  if (declared.size === 0) return NO_FACTS;
  const names = factNamesOf(declared, prefix);
  const pairs: FactValue[] = [];
  let k = 0;
  for (const [name, declaration] of declared) pairs.push(names[k++]!, attributeFact(given[name], declaration));
  return pairs;
}

const NO_FACTS: FactValue[] = [];
const factNamesByDeclaration = new WeakMap<ReadonlyMap<string, AttributeDeclaration>, readonly string[]>();

/** `buyer.member`, … for each declared name, built once per version (no string per line). */
function factNamesOf(declared: ReadonlyMap<string, AttributeDeclaration>, prefix: string): readonly string[] {
  let names = factNamesByDeclaration.get(declared);
  if (names === undefined) factNamesByDeclaration.set(declared, (names = [...declared.keys()].map((name) => prefix + name)));
  return names;
}

function orderListAmount(input: QuoteInput, items: readonly CatalogItem[], holds: (item: CatalogItem) => boolean = () => true): Dec {
  let total = ZERO;
  input.lines.forEach((line, i) => {
    if (holds(items[i]!)) total = total.plus(items[i]!.listPrice.times(line.quantity));
  });
  return total;
}

/** One parameterised order aggregate (see {@link BUILT_IN_FACTS}). */
function orderFact(use: OrderFactUse, input: QuoteInput, items: readonly CatalogItem[]): FactValue {
  const p = use.params;
  switch (use.fact) {
    case 'order.skuQuantity':
      return sumWhere(input, items, (line) => line.sku === p['sku']);
    case 'order.categoryQuantity':
      return sumWhere(input, items, (_line, item) => item.category === p['category']);
    case 'order.tagQuantity':
      return sumWhere(input, items, (_line, item) => item.tags.includes(String(p['tag'])));
    case 'order.categoryListAmount':
      return orderListAmount(input, items, (item) => item.category === p['category']).toFixed(2);
    case 'order.distinctSkus': {
      const quantities = new Map<string, number>();
      input.lines.forEach((line, i) => {
        if (p['category'] === undefined || items[i]!.category === p['category']) quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity);
      });
      const least = p['minQuantity'] === undefined ? 1 : Number(p['minQuantity']);
      let count = 0;
      for (const quantity of quantities.values()) if (quantity >= least) count++;
      return count;
    }
    default:
      throw new Error(`unknown order fact ${use.fact}`);
  }
}

function sumWhere(input: QuoteInput, items: readonly CatalogItem[], holds: (line: QuoteInput['lines'][number], item: CatalogItem) => boolean): number {
  let total = 0;
  input.lines.forEach((line, i) => {
    if (holds(line, items[i]!)) total += line.quantity;
  });
  return total;
}
