import type { AgreementVersion, AttributeDeclaration } from '../domain/agreement';
import { isIsoDate } from '../domain/iso-date';
import type { AttributeValue } from '../domain/quote';
import { claimableFigures } from '../domain/settle/claims';
import { Dec, isDecimalText, isUnitPriceText } from '../domain/money';
import type { ClaimedFigures, SettlementIssue, SettlementLineInput, SettlementTransaction, TransactionLocator } from '../domain/settlement';
import type { Settlement } from '../rules/calculate-settlement';
import { assertNever } from '../domain/line-facts';

/**
 * The tables a settlement file may hold, each introduced by its header row (CSV) or told
 * apart by its identifying key (NDJSON): `transaction`, `institution` or `figure`. Column
 * order in a CSV header is free.
 */
export const TABLES = {
  transactions: {
    // and a column per attribute the agreement declares (see transactionColumnsOf)
    columns: ['transaction', 'date', 'channel', 'buyer', 'returnOf', 'sku', 'quantity', 'unitPrice', 'coupon'],
    required: ['transaction', 'date', 'channel', 'buyer', 'sku', 'quantity'],
  },
  externalSales: {
    columns: ['institution', 'sku', 'date', 'quantity', 'unitPrice'],
    required: ['institution', 'sku', 'date', 'quantity', 'unitPrice'],
  },
  claims: {
    columns: ['figure', 'claimed'],
    required: ['figure', 'claimed'],
  },
} as const;

export type TableName = keyof typeof TABLES;

/** The table a column name identifies (in a CSV header, or as an NDJSON record's key). */
export const TABLE_BY_KEY: Readonly<Record<string, TableName>> = { transaction: 'transactions', institution: 'externalSales', figure: 'claims' };

/** One row as read: cell values by column name (strings from CSV, JSON values from NDJSON). */
export type RowCells = Readonly<Record<string, unknown>>;

/**
 * A column of the transactions table that carries a buyer or order attribute the agreement
 * declares. Its name is the attribute's (e.g. `region`) or, where that name is also a
 * fixed column or the other kind's attribute, `buyer.<name>` / `order.<name>`; the prefixed
 * form is always accepted too.
 */
export interface AttributeColumn {
  /** The name cells are read under and problems point at. */
  readonly column: string;
  readonly owner: 'buyer' | 'order';
  readonly name: string;
  readonly declaration: AttributeDeclaration;
}

/** The transactions table's columns under a version: the fixed ones, then one per declared attribute (buyer first, each in declaration order). */
export interface TransactionColumns {
  readonly attributes: readonly AttributeColumn[];
  /** Every accepted spelling, lower-cased, → the column it names. */
  readonly byAlias: ReadonlyMap<string, string>;
  /** The column names, fixed then attributes. */
  readonly names: readonly string[];
}

const columnsByVersion = new WeakMap<AgreementVersion, TransactionColumns>();

/** The transactions table's columns under `version` (computed once per version). */
export function transactionColumnsOf(version: AgreementVersion): TransactionColumns {
  let columns = columnsByVersion.get(version);
  if (columns !== undefined) return columns;
  const fixed: readonly string[] = TABLES.transactions.columns;
  const attributes: AttributeColumn[] = [];
  for (const [owner, declared, other] of [
    ['buyer', version.attributes.buyer, version.attributes.order],
    ['order', version.attributes.order, version.attributes.buyer],
  ] as const) {
    for (const [name, declaration] of declared) {
      const bare = !fixed.some((column) => column.toLowerCase() === name.toLowerCase()) && ![...other.keys()].some((key) => key.toLowerCase() === name.toLowerCase());
      attributes.push({ column: bare ? name : `${owner}.${name}`, owner, name, declaration });
    }
  }
  const byAlias = new Map<string, string>(fixed.map((column) => [column.toLowerCase(), column]));
  for (const attribute of attributes) {
    byAlias.set(attribute.column.toLowerCase(), attribute.column);
    byAlias.set(`${attribute.owner}.${attribute.name}`.toLowerCase(), attribute.column);
  }
  columns = { attributes, byAlias, names: [...fixed, ...attributes.map((attribute) => attribute.column)] };
  columnsByVersion.set(version, columns);
  return columns;
}

const MAX_QUANTITY = 1_000_000;
/** The API's Id (openapi.yaml): ids in files follow the same rule as in a JSON request. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/;
const MAX_TEXT = 200;

/**
 * The transaction being read: adjacent rows with its id. It is its own locator (rows
 * numbered as a spreadsheet numbers them), and its transaction is handed on as is: one
 * object each, a month has a few hundred thousand.
 */
class OpenTransaction implements TransactionLocator {
  readonly rows: number[] = [];
  /** Set when a row of the transaction could not be read: it is refused as a whole. */
  broken = false;

  constructor(
    readonly transaction: SettlementTransaction & { readonly lines: SettlementLineInput[] },
    readonly headRow: number,
    private readonly reader: SettlementRowReader,
    readonly source: string | undefined,
    /** The first row's attribute values, by attribute column (the other rows must agree). */
    readonly values: readonly (AttributeValue | undefined)[] = NO_VALUES,
  ) {}

  field(name: string): string {
    return this.reader.pointer(this.headRow, name === 'id' ? 'transaction' : this.reader.columnOf(name));
  }

  lineField(index: number, name: string): string {
    return this.reader.pointer(this.rows[index] ?? this.headRow, name);
  }
}

/**
 * Turns rows into settlement input: adjacent transaction rows with the same `transaction`
 * id form one transaction (their transaction columns must agree), external-sale rows and
 * claim rows pass straight through. Every cell problem is recorded with its row and column
 * (`/rows/<row>/<column>`, rows numbered as a spreadsheet numbers them) and nothing is
 * skipped silently: a transaction with an unreadable row is refused as a whole.
 */
export class SettlementRowReader {
  private open: OpenTransaction | undefined;
  private claims: { -readonly [K in keyof ClaimedFigures]: ClaimedFigures[K] } | undefined;
  private claimedRebates: Record<string, string> | undefined;
  private cells: CellReader | undefined;
  /** The transactions table's columns under the settlement's version. */
  readonly columns: TransactionColumns;
  private claimable: readonly string[] | undefined;

  constructor(
    private readonly settlement: Settlement,
    private readonly source?: string,
  ) {
    this.columns = transactionColumnsOf(settlement.version);
  }

  /** The column a transaction field is read from: `buyer/<name>` and `attributes/<name>` are attribute columns. */
  columnOf(field: string): string {
    const slash = field.indexOf('/');
    if (slash < 0) return field;
    const owner = field.slice(0, slash) === 'buyer' ? 'buyer' : 'order';
    const name = field.slice(slash + 1);
    return this.columns.attributes.find((column) => column.owner === owner && column.name === name)?.column ?? field;
  }

  /**
   * Adds one row of the transactions table; a promise only when booking the transaction it
   * ends waits for an asynchronous rule evaluator (await it before the next row).
   */
  transactionRow(cells: RowCells, row: number, found: readonly SettlementIssue[] = []): Promise<void> | undefined {
    if (this.open !== undefined) {
      // a row with a readable id other than the open transaction's ends it (an unreadable one is only reported)
      const id = cells['transaction'];
      if (id !== this.open.transaction.id && typeof id === 'string' && ID.test(id)) {
        const booking = this.flush();
        if (booking !== undefined) return booking.then(() => this.openRow(cells, row, found));
      }
    }
    this.openRow(cells, row, found);
    return undefined;
  }

  /** Adds a row to the open transaction, or opens one. */
  private openRow(cells: RowCells, row: number, found: readonly SettlementIssue[]): void {
    const issues: SettlementIssue[] = found.length === 0 ? [] : [...found];
    const cell = this.cellReader(cells, row, issues);
    const id = cell.id('transaction');
    if (id === undefined) {
      this.settlement.reject(issues);
      return;
    }
    const returnOf = cell.optionalId('returnOf');
    const date = cell.date('date') ?? '';
    const channel = cell.id('channel') ?? '';
    const buyerId = cell.id('buyer') ?? '';
    const coupon = cell.optionalId('coupon');
    const sku = cell.id('sku');
    const quantity = cell.integer('quantity');
    const unitPrice = cell.optionalUnitPrice('unitPrice');
    const attributes = this.columns.attributes;
    const values = attributes.length === 0 ? NO_VALUES : attributes.map((column) => cell.attribute(column));
    let open = this.open;
    if (open === undefined) {
      const transaction = transactionOf(id, date, channel, buyerId, returnOf, coupon, attributes, values);
      open = this.open = new OpenTransaction(transaction, row, this, this.source, values);
    } else if (!agrees(open, date, channel, buyerId, returnOf, coupon, values)) {
      const head = open.transaction;
      const differing: [string, unknown, unknown][] = [
        ['date', date, head.date],
        ['channel', channel, head.channel],
        ['buyer', buyerId, head.buyer.id],
        ['returnOf', returnOf, head.returnOf],
        ['coupon', coupon, head.coupon],
        ...attributes.map((column, k): [string, unknown, unknown] => [column.column, values[k], open!.values[k]]),
      ];
      for (const [column, a, b] of differing) {
        if (a !== b) issues.push(this.issue(row, column, 'ROWS_DISAGREE', `transaction ${id}: ${column} ${JSON.stringify(a ?? '')} differs from ${JSON.stringify(b ?? '')} on row ${open.headRow}, the transaction's first row`, id));
      }
    }
    open.rows.push(row);
    if (issues.length > 0 || sku === undefined || quantity === undefined) {
      open.broken = true;
      this.settlement.reject(issues.map((issue) => ({ ...issue, transaction: id })));
    }
    // a broken transaction keeps a line per row, unreadable cells as '' and NaN: its readable cells are checked too
    const lineSku = sku ?? '';
    const lineQuantity = quantity ?? Number.NaN;
    open.transaction.lines.push(unitPrice === undefined ? { sku: lineSku, quantity: lineQuantity } : { sku: lineSku, quantity: lineQuantity, unitPrice });
  }

  /** Adds one row of the external-sales table. */
  externalSaleRow(cells: RowCells, row: number, found: readonly SettlementIssue[] = []): void {
    const issues: SettlementIssue[] = [...found];
    const cell = this.cellReader(cells, row, issues);
    const institution = cell.text('institution');
    const sku = cell.id('sku');
    const date = cell.date('date');
    const quantity = cell.integer('quantity');
    const unitPrice = cell.optionalUnitPrice('unitPrice');
    if (unitPrice === undefined && issues.length === 0) issues.push(this.issue(row, 'unitPrice', 'MISSING', 'unitPrice is required'));
    if (issues.length > 0) this.settlement.reject(issues);
    // with unreadable cells ('' and NaN) it is only checked on the others
    const sale = { institution: institution ?? '', sku: sku ?? '', date: date ?? '', quantity: quantity ?? Number.NaN, unitPrice: unitPrice ?? '' };
    this.settlement.addExternalSale(sale, { ...(this.source === undefined ? {} : { source: this.source }), field: (name) => this.pointer(row, name) }, issues.length > 0);
  }

  /** Adds one row of the claims table: a figure the statement declares (its net included), `commission`, `compensation` or `rebates/<buyer>`. */
  claimRow(cells: RowCells, row: number, found: readonly SettlementIssue[] = []): void {
    const issues: SettlementIssue[] = [...found];
    const cell = this.cellReader(cells, row, issues);
    const figure = cell.text('figure');
    const claimed = cell.optionalDecimal('claimed');
    const scale = this.settlement.version.rounding.scale;
    if (claimed === undefined && issues.length === 0) issues.push(this.issue(row, 'claimed', 'MISSING', 'claimed is required'));
    else if (claimed !== undefined && new Dec(claimed).decimalPlaces() > scale) issues.push(this.issue(row, 'claimed', 'INVALID_AMOUNT', `claimed ${claimed} has more than ${scale} decimals`));
    const buyer = figure?.startsWith('rebates/') === true ? figure.slice('rebates/'.length) : undefined;
    const claimable = (this.claimable ??= claimableFigures(this.settlement.version));
    if (figure !== undefined && !claimable.includes(figure) && (buyer === undefined || !ID.test(buyer))) {
      issues.push(this.issue(row, 'figure', 'UNKNOWN_FIGURE', `figure ${JSON.stringify(figure)} is not one of ${claimable.join(', ')}, rebates/<buyer>`));
    }
    if (issues.length > 0) {
      this.settlement.reject(issues);
      return;
    }
    const claims = (this.claims ??= {});
    if (buyer !== undefined) {
      const rebates = (this.claimedRebates ??= Object.create(null) as Record<string, string>);
      rebates[buyer] = claimed!;
      claims.rebates = rebates;
    } else {
      claims[figure as 'commission'] = claimed!;
    }
  }

  /** Records a problem with a whole row (unreadable, of no known table). */
  rejectRow(row: number, code: string, detail: string): void {
    this.settlement.reject([this.issue(row, '', code, detail)]);
  }

  /** An issue with a cell (or, with column '', a whole row) of this reader's source. */
  issue(row: number, column: string, code: string, detail: string, transaction?: string): SettlementIssue {
    return {
      pointer: this.pointer(row, column),
      code,
      detail: `row ${row}: ${detail}`,
      ...(transaction === undefined ? {} : { transaction }),
      ...(this.source === undefined ? {} : { source: this.source }),
    };
  }

  /** Books the last transaction; returns the claims read, if any. */
  async end(): Promise<ClaimedFigures | undefined> {
    await this.flush();
    return this.claims;
  }

  private flush(): Promise<void> | undefined {
    const open = this.open;
    this.open = undefined;
    if (open === undefined) return undefined;
    if (open.broken) {
      this.settlement.refuse(open.transaction, open);
      return undefined;
    }
    return this.settlement.add(open.transaction, open);
  }

  /** The pointer to a cell (or, with column '', a row) of this reader's source. */
  pointer(row: number, column: string): string {
    return `/rows/${row}${column === '' ? '' : `/${column}`}`;
  }

  /** The reader of one row's cells (one object per file, pointed at each row in turn: a month has a million rows). */
  private cellReader(cells: RowCells, row: number, issues: SettlementIssue[]): CellReader {
    const reader = (this.cells ??= new CellReader(this));
    reader.cells = cells;
    reader.row = row;
    reader.issues = issues;
    return reader;
  }
}

/** Reads the cells of one row, recording each problem as an issue of its cell. */
class CellReader {
  cells: RowCells = {};
  row = 0;
  issues: SettlementIssue[] = [];

  constructor(private readonly rows: SettlementRowReader) {}

  text(column: string): string | undefined {
    const value = this.present(column);
    if (value === undefined) return this.bad(column, 'MISSING', `${column} is required`);
    if (typeof value !== 'string') return this.bad(column, 'INVALID_TEXT', `${column} must be text`);
    if (value.length > MAX_TEXT) return this.bad(column, 'INVALID_TEXT', `${column} is longer than ${MAX_TEXT} characters`);
    return value;
  }

  id(column: string): string | undefined {
    const value = this.text(column);
    if (value === undefined || ID.test(value)) return value;
    return this.bad(column, 'INVALID_ID', `${column} ${JSON.stringify(value)} must be 1–64 letters, digits or . _ : @ - (starting with a letter or digit)`);
  }

  /** undefined when empty; '' when unreadable (reported). */
  optionalId(column: string): string | undefined {
    return this.present(column) === undefined ? undefined : (this.id(column) ?? '');
  }

  flag(column: string): boolean {
    const value = this.present(column);
    if (value === undefined || typeof value === 'boolean') return value ?? false;
    const word = typeof value === 'string' ? value.toLowerCase() : value;
    if (word === 'true' || word === '1' || word === 'yes' || word === 1) return true;
    if (word === 'false' || word === '0' || word === 'no' || word === 0) return false;
    this.bad(column, 'INVALID_FLAG', `${column} ${JSON.stringify(value)} must be true or false (or empty for false)`);
    return false;
  }

  /**
   * A declared attribute's cell by its declared type: a boolean reads as `flag` does (empty:
   * false, as a quote's boolean left out); a decimal, a string or one of an enum's values is
   * left out when empty. An unreadable cell is reported and left out.
   */
  attribute(column: AttributeColumn): AttributeValue | undefined {
    const declaration = column.declaration;
    switch (declaration.type) {
      case 'boolean':
        return this.flag(column.column);
      case 'decimal':
        return this.optionalDecimal(column.column);
      case 'string':
        return this.present(column.column) === undefined ? undefined : this.text(column.column);
      case 'enum': {
        const value = this.present(column.column) === undefined ? undefined : this.text(column.column);
        if (value === undefined || declaration.values?.includes(value) === true) return value;
        return this.bad(column.column, 'INVALID_ATTRIBUTE', `${column.column} ${JSON.stringify(value)} must be one of ${(declaration.values ?? []).join(', ')}`);
      }
      default:
        return assertNever(declaration.type);
    }
  }

  integer(column: string): number | undefined {
    const value = this.present(column);
    if (value === undefined) return this.bad(column, 'MISSING', `${column} is required`);
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^[-+]?\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || Math.abs(n) > MAX_QUANTITY) return this.bad(column, 'INVALID_QUANTITY', `${column} ${JSON.stringify(value)} must be a whole number from −${MAX_QUANTITY} to ${MAX_QUANTITY}`);
    return n;
  }

  /** An invoiced or external unit price (see isUnitPriceText: bounded so every product with a quantity is exact). */
  optionalUnitPrice(column: string): string | undefined {
    const value = this.optionalDecimal(column);
    if (value === undefined || isUnitPriceText(value)) return value;
    return this.bad(column, 'INVALID_DECIMAL', `${column} ${value} must be a decimal ≥ 0 with at most 12 digits before the point and 8 after`);
  }

  optionalDecimal(column: string): string | undefined {
    const value = this.present(column);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !isDecimalText(value) || value.length > 32) {
      return this.bad(column, 'INVALID_DECIMAL', `${column} ${JSON.stringify(value)} must be a plain decimal such as 1094.80 (a string in NDJSON; no thousands separators or currency signs)`);
    }
    return value;
  }

  date(column: string): string | undefined {
    const value = this.present(column);
    if (value === undefined) return this.bad(column, 'MISSING', `${column} is required`);
    const normalized = typeof value === 'string' ? normalizeDate(value) : undefined;
    if (normalized === undefined) return this.bad(column, 'INVALID_DATE', `${column} ${JSON.stringify(value)} must be a day written yyyy-mm-dd (or yyyy/m/d)`);
    return normalized;
  }

  private present(column: string): unknown {
    const value = this.cells[column];
    return value === '' || value === null ? undefined : value;
  }

  private bad(column: string, code: string, detail: string): undefined {
    this.issues.push(this.rows.issue(this.row, column, code, detail));
    return undefined;
  }
}

const NO_VALUES: readonly (AttributeValue | undefined)[] = [];

/** True when a row agrees with its transaction's first row on the transaction's columns (most do: then no issue is looked for). */
function agrees(open: OpenTransaction, date: string, channel: string, buyerId: string, returnOf: string | undefined, coupon: string | undefined, values: readonly (AttributeValue | undefined)[]): boolean {
  const head = open.transaction;
  if (head.date !== date || head.channel !== channel || head.buyer.id !== buyerId || head.returnOf !== returnOf || head.coupon !== coupon) return false;
  for (let k = 0; k < values.length; k++) if (values[k] !== open.values[k]) return false;
  return true;
}

/**
 * A transaction as a JSON request gives it: the buyer with its attributes (declaration order),
 * `returnOf`, `attributes` (the order's, when any is given) and `coupon` only when present.
 */
function transactionOf(
  id: string,
  date: string,
  channel: string,
  buyerId: string,
  returnOf: string | undefined,
  coupon: string | undefined,
  columns: readonly AttributeColumn[],
  values: readonly (AttributeValue | undefined)[],
): SettlementTransaction & { readonly lines: SettlementLineInput[] } {
  const buyer: Record<string, AttributeValue> & { id: string } = { id: buyerId };
  let attributes: Record<string, AttributeValue> | undefined;
  for (let k = 0; k < columns.length; k++) {
    const value = values[k];
    if (value === undefined) continue;
    const column = columns[k]!;
    if (column.owner === 'buyer') buyer[column.name] = value;
    else (attributes ??= {})[column.name] = value;
  }
  return {
    id,
    date,
    channel,
    buyer,
    ...(returnOf === undefined ? {} : { returnOf }),
    ...(attributes === undefined ? {} : { attributes }),
    ...(coupon === undefined ? {} : { coupon }),
    lines: [],
  };
}

/** yyyy-mm-dd as is; yyyy/m/d (how spreadsheets often write days) padded to yyyy-mm-dd; undefined otherwise. */
export function normalizeDate(text: string): string | undefined {
  const slashed = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(text);
  const iso = slashed === null ? text : `${slashed[1]}-${slashed[2]!.padStart(2, '0')}-${slashed[3]!.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
}
