// Reads a file of orders for a what-if diff: a JSON array of orders (or `{"orders": [...]}`),
// NDJSON with one order a line, or a settlement CSV's transaction table (one row per line, rows
// of a transaction adjacent). Reading only: the orders are priced by the API.

export interface OrderJson {
  id: string;
  channel: string;
  date?: string;
  buyer: Record<string, string | boolean> & { id: string };
  lines: { sku: string; quantity: number }[];
}

/** One CSV record per line; quoted cells may hold commas and doubled quotes. */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const c = line[i]!;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        cells.push(cell);
        cell = '';
      } else cell += c;
    }
    cells.push(cell);
    records.push(cells);
  }
  return records;
}

function ordersOfCsv(text: string): OrderJson[] {
  const [header, ...rows] = csvRecords(text);
  const column = (name: string): number => header?.indexOf(name) ?? -1;
  const at = { id: column('transaction'), date: column('date'), channel: column('channel'), buyer: column('buyer'), sku: column('sku'), quantity: column('quantity'), returnOf: column('returnOf') };
  if (at.id < 0 || at.sku < 0 || at.quantity < 0) throw new Error('The CSV needs the transaction table header: transaction,date,channel,buyer,…,sku,quantity');
  const flags = (header ?? []).map((name, i) => [name, i] as const).filter(([name]) => !['transaction', 'date', 'channel', 'buyer', 'returnOf', 'sku', 'quantity', 'unitPrice'].includes(name));
  const orders: OrderJson[] = [];
  for (const row of rows) {
    if (row[0] === 'institution' || row[0] === 'figure') break; // the next table of a settlement CSV
    if (at.returnOf >= 0 && (row[at.returnOf] ?? '') !== '') continue; // a return is not an order to price
    const id = row[at.id]!;
    let order = orders[orders.length - 1];
    if (order?.id !== id) {
      const buyer: OrderJson['buyer'] = { id: row[at.buyer] ?? '' };
      for (const [name, i] of flags) {
        const value = row[i] ?? '';
        if (value !== '') buyer[name] = value === 'true' ? true : value === 'false' ? false : value;
      }
      order = { id, channel: row[at.channel] ?? '', ...(at.date >= 0 && row[at.date] !== '' ? { date: row[at.date]! } : {}), buyer, lines: [] };
      orders.push(order);
    }
    order.lines.push({ sku: row[at.sku]!, quantity: Number(row[at.quantity]) });
  }
  return orders;
}

/** The orders a file holds, told by its name's extension. */
export function ordersOfFile(name: string, text: string): OrderJson[] {
  const extension = (/\.([a-z]+)$/i.exec(name)?.[1] ?? '').toLowerCase();
  if (extension === 'csv') return ordersOfCsv(text);
  if (extension === 'ndjson' || extension === 'jsonl') return text.split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as OrderJson);
  const parsed = JSON.parse(text) as OrderJson[] | { orders: OrderJson[] };
  return Array.isArray(parsed) ? parsed : parsed.orders;
}
