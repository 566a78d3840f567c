/// <reference lib="dom" />
// The quote simulator: a form built from the agreement's declared facts (GET /v1/agreements/{id}:
// channels, buyer and order attributes, coupons, catalog) → POST /v1/quotes?explain=true → the
// priced quote with a price waterfall per line; the signed quote to download; and verification of
// a quote file (POST /v1/quotes:verify). The page computes no figure: each comes from the answer.
import {
  agreementOn,
  agreementSelect,
  ApiError,
  append,
  appRoot,
  callApi,
  clear,
  downloadLink,
  dropZone,
  el,
  field,
  labelOf,
  listAgreements,
  money,
  numCell,
  percent,
  problemView,
  ruleNames,
  startPage,
  table,
  todayInShanghai,
  tr,
  type AgreementDetail,
  type Attribute,
  type Label,
} from '../common';

interface Adjustment {
  readonly ruleId: string;
  readonly effect: 'price' | 'commission' | 'rebate';
  readonly base: string;
  readonly rate: string;
  readonly amount: string;
  readonly payee?: string;
}
interface NotApplied {
  readonly ruleId: string;
  readonly reason: string;
  readonly detail?: string;
  readonly winner?: string;
  readonly failedCondition?: { fact: string; operator: string; value: unknown; factValue: unknown };
}
interface QuoteLine {
  readonly sku: string;
  readonly quantity: number;
  readonly listPrice: string;
  readonly listAmount: string;
  readonly unitPrice: string;
  readonly amount: string;
  readonly commission: string;
  readonly rebate: string;
  readonly floorApplied: boolean;
  readonly adjustments: readonly Adjustment[];
  readonly explanation?: { readonly applied: readonly string[]; readonly notApplied: readonly NotApplied[] };
}
interface Quote {
  readonly quoteId?: string;
  readonly currency: string;
  readonly date: string;
  readonly rulesetVersion: string;
  readonly effectiveFrom: string;
  readonly lines: readonly QuoteLine[];
  readonly gifts: readonly { sku: string; quantity: number; listPrice: string; value: string; ruleId: string }[];
  readonly totals: Record<'list' | 'discount' | 'net' | 'commission' | 'rebate' | 'gifts', string>;
  readonly rules: Record<string, { clause: string; label: Label; type: string }>;
  readonly coupon?: { applied: boolean; code: string; reason?: string };
}
interface Verdict {
  readonly valid: boolean;
  readonly signature: string;
  readonly recomputed?: string;
  readonly reason?: string;
  readonly quoteId?: string;
  readonly expiresAt?: string;
  readonly differences?: readonly { path: string; quoted?: unknown; recomputed?: unknown }[];
}

startPage(async () => {
  const root = appRoot();
  clear(root);
  const agreements = await listAgreements();
  const wanted = new URLSearchParams(location.search).get('agreement') ?? undefined;
  const select = agreementSelect(agreements, wanted);
  const date = el('input', { type: 'date', name: 'date', value: todayInShanghai(), required: true });
  const formArea = el('div', { id: 'quote-form' });
  const result = el('div', { id: 'quote-result', 'aria-live': 'polite' });
  append(
    root,
    el('section', { 'aria-labelledby': 'sim-h' }, el('h2', { id: 'sim-h' }, tr('订单', 'Order')), el('div', { class: 'row' }, field(tr('协议', 'Agreement'), select), field(tr('订单日期', 'Order date'), date, tr('决定适用的规则版本', 'Selects the rule version in force'))), formArea),
    result,
    verifySection(),
  );
  const rebuild = async (): Promise<void> => {
    clear(formArea);
    try {
      const terms = await agreementOn(select.value, date.value);
      append(formArea, quoteForm(terms, () => date.value, result));
    } catch (error) {
      append(formArea, problemView(error));
    }
  };
  select.addEventListener('change', () => void rebuild());
  date.addEventListener('change', () => void rebuild());
  await rebuild();
});

function attributeControl(name: string, attribute: Attribute): HTMLElement {
  const text = labelOf(attribute.label, name);
  switch (attribute.type) {
    case 'boolean': {
      const box = el('input', { type: 'checkbox', name, 'data-attr-type': 'boolean' });
      return el('div', { class: 'field check' }, box, el('label', { for: (box.id = `attr-${name}`) }, text));
    }
    case 'enum':
      return field(text, el('select', { name, 'data-attr-type': 'enum', id: `attr-${name}` }, el('option', { value: '' }, tr('（不填）', '(not given)')), ...(attribute.values ?? []).map((v) => el('option', { value: v }, v))));
    case 'decimal':
      return field(text, el('input', { type: 'text', inputmode: 'decimal', name, 'data-attr-type': 'decimal', id: `attr-${name}`, pattern: '-?\\d+(\\.\\d+)?' }));
    default:
      return field(text, el('input', { type: 'text', name, 'data-attr-type': 'string', id: `attr-${name}` }));
  }
}

/** The declared attributes of a fieldset as the request expects them (empty text fields left out). */
function readAttributes(fieldset: HTMLElement): Record<string, string | boolean> {
  const values: Record<string, string | boolean> = {};
  for (const input of fieldset.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-attr-type]')) {
    if (input.dataset['attrType'] === 'boolean') values[input.name] = (input as HTMLInputElement).checked;
    else if (input.value.trim() !== '') values[input.name] = input.value.trim();
  }
  return values;
}

function lineRow(terms: AgreementDetail, lines: HTMLElement): HTMLElement {
  const sku = el('select', { name: 'sku', 'aria-label': tr('商品', 'Product') }, ...terms.catalog.map((item) => el('option', { value: item.sku }, `${item.sku} · ${labelOf(item.name, item.sku)} · ${money(item.listPrice)}`)));
  const quantity = el('input', { type: 'number', name: 'quantity', min: 1, step: 1, value: 1, required: true, 'aria-label': tr('数量', 'Quantity') });
  const row = el('li', { class: 'line' }, sku, quantity);
  append(row, el('button', { type: 'button', class: 'secondary', onclick: () => (lines.children.length > 1 ? row.remove() : undefined) }, tr('删除', 'Remove')));
  return row;
}

function quoteForm(terms: AgreementDetail, dateOf: () => string, result: HTMLElement): HTMLElement {
  const channel = el('select', { name: 'channel' }, ...terms.channels.map((c) => el('option', { value: c.id }, `${labelOf(c.label, c.id)} (${c.id})`)));
  const buyerId = el('input', { type: 'text', name: 'buyer', value: 'BUYER-1', required: true, pattern: '[A-Za-z0-9][\\w.:@\\-]{0,63}' });
  const buyer = el('fieldset', {}, el('legend', {}, tr('买方', 'Buyer')), field(tr('买方编号', 'Buyer id'), buyerId), ...Object.entries(terms.attributes?.buyer ?? {}).map(([n, a]) => attributeControl(n, a)));
  const orderAttributes = Object.entries(terms.attributes?.order ?? {});
  const order = el('fieldset', {}, el('legend', {}, tr('订单属性', 'Order attributes')), ...orderAttributes.map(([n, a]) => attributeControl(n, a)));
  const coupon = el('select', { name: 'coupon' }, el('option', { value: '' }, tr('（无）', '(none)')), ...(terms.coupons ?? []).map((c) => el('option', { value: c.code }, `${c.code} · ${labelOf(c.label, c.code)}`)));
  const lines = el('ol', { class: 'lines', 'aria-label': tr('订单行', 'Order lines') });
  append(lines, lineRow(terms, lines));
  const form = el(
    'form',
    { class: 'quote-form' },
    el('div', { class: 'row' }, field(tr('渠道', 'Channel'), channel), terms.coupons === undefined ? null : field(tr('优惠券', 'Coupon'), coupon)),
    buyer,
    orderAttributes.length === 0 ? null : order,
    el('fieldset', {}, el('legend', {}, tr('订单行', 'Lines')), lines, el('button', { type: 'button', class: 'secondary', id: 'add-line', onclick: () => append(lines, lineRow(terms, lines)) }, tr('添加一行', 'Add a line'))),
    el('button', { type: 'submit', id: 'price' }, tr('报价', 'Price the order')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const attributes = readAttributes(order);
    const request = {
      agreement: terms.agreement,
      channel: channel.value,
      date: dateOf(),
      buyer: { id: buyerId.value.trim(), ...readAttributes(buyer) },
      ...(Object.keys(attributes).length === 0 ? {} : { attributes }),
      ...(coupon.value === '' ? {} : { coupon: coupon.value }),
      lines: [...lines.querySelectorAll('li')].map((li) => ({ sku: li.querySelector('select')!.value, quantity: Number(li.querySelector('input')!.value) })),
    };
    clear(result);
    append(result, el('p', { class: 'hint' }, tr('正在报价…', 'Pricing…')));
    callApi<Quote>('/v1/quotes?explain=true', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) })
      .then(({ body, text }) => {
        clear(result);
        append(result, quoteView(body, text, terms));
      })
      .catch((error: unknown) => {
        clear(result);
        append(result, problemView(error));
      });
  });
  return form;
}

const REASONS: Record<string, [string, string]> = {
  'condition-failed': ['条件不满足', 'a condition failed'],
  'not-in-force': ['该日期不在有效期内', 'not in force on the date'],
  'lost-exclusivity': ['同组择优时落选', 'lost its exclusivity group'],
  'no-effect': ['未产生影响', 'had no effect'],
  'below-minimum': ['未达最低门槛', 'below its minimum'],
};

function reasonText(miss: NotApplied, names: ReadonlyMap<string, { label: string }>): string {
  const reason = REASONS[miss.reason];
  const base = reason === undefined ? miss.reason : tr(reason[0], reason[1]);
  if (miss.failedCondition !== undefined) {
    const c = miss.failedCondition;
    return `${base}: ${c.fact} ${c.operator} ${JSON.stringify(c.value)} — ${tr('实际为', 'actual')} ${JSON.stringify(c.factValue)}`;
  }
  if (miss.winner !== undefined) return `${base}: ${tr('胜出的是', 'won by')} ${names.get(miss.winner)?.label ?? miss.winner}`;
  return miss.detail === undefined ? base : `${base}: ${miss.detail}`;
}

function quoteView(quote: Quote, text: string, terms: AgreementDetail): HTMLElement {
  const names = ruleNames(quote.rules);
  const productName = (sku: string): string => labelOf(terms.catalog.find((item) => item.sku === sku)?.name, sku);
  const totals = quote.totals;
  const figure = (id: string, label: string, value: string) => el('div', { class: 'figure', 'data-figure': id }, el('dt', {}, label), el('dd', {}, money(value)));
  return el(
    'section',
    { 'aria-labelledby': 'quote-h', class: 'quote' },
    el('h2', { id: 'quote-h' }, tr('报价', 'Quote')),
    el('p', { class: 'hint' }, `${quote.date} · ${tr('规则版本', 'rule version')} `, el('code', {}, quote.rulesetVersion), quote.quoteId === undefined ? '' : ` · ${quote.quoteId}`),
    el(
      'dl',
      { class: 'figures' },
      figure('list', tr('牌价合计', 'List total'), totals.list),
      figure('discount', tr('优惠', 'Discount'), totals.discount),
      figure('net', tr('应付净额', 'Net'), totals.net),
      figure('commission', tr('提成', 'Commission'), totals.commission),
      figure('rebate', tr('返点', 'Rebate'), totals.rebate),
      figure('gifts', tr('赠品价值', 'Gifts value'), totals.gifts),
    ),
    quote.coupon === undefined ? null : el('p', {}, `${tr('优惠券', 'Coupon')} ${quote.coupon.code}: ${quote.coupon.applied ? tr('已使用', 'applied') : `${tr('未使用', 'not applied')} ${quote.coupon.reason ?? ''}`}`),
    el('div', { class: 'actions' }, downloadLink(text, `quote-${quote.quoteId ?? quote.date}.json`, 'application/json', tr('下载已签名报价', 'Download the signed quote'))),
    ...quote.lines.map((line, i) => lineWaterfall(line, i, quote.currency, names, productName(line.sku))),
    quote.gifts.length === 0
      ? null
      : table(
          [tr('赠品', 'Gift'), tr('数量', 'Quantity'), tr('价值', 'Value'), tr('规则', 'Rule')],
          quote.gifts.map((g) => el('tr', {}, el('td', {}, `${g.sku} ${productName(g.sku)}`), numCell(String(g.quantity)), numCell(money(g.value)), el('td', {}, names.get(g.ruleId)?.label ?? g.ruleId))),
          tr('赠品', 'Gifts'),
        ),
  );
}

/** A line's price waterfall: list → each price adjustment → amount; then commission and rebate. */
function lineWaterfall(line: QuoteLine, index: number, currency: string, names: ReadonlyMap<string, { label: string; clause: string }>, product: string): HTMLElement {
  const rows: HTMLTableRowElement[] = [];
  const step = (kind: string, label: string, detail: string, amount: string, signed: boolean) =>
    rows.push(el('tr', { class: `step ${kind}`, 'data-step': kind }, el('th', { scope: 'row' }, label), el('td', {}, detail), numCell(money(amount, signed))));
  step('list', tr('牌价金额', 'List amount'), `${line.quantity} × ${money(line.listPrice)}`, line.listAmount, false);
  for (const a of line.adjustments.filter((x) => x.effect === 'price')) {
    const name = names.get(a.ruleId);
    step('adjustment', name?.label ?? a.ruleId, `${name?.clause ?? ''} · ${percent(a.rate)} × ${money(a.base)}`, a.amount, true);
  }
  step('amount', tr('成交金额', 'Amount'), `${tr('单价', 'unit price')} ${money(line.unitPrice)}${line.floorApplied ? tr('（最低价保护生效）', ' (the price floor held)') : ''}`, line.amount, false);
  for (const a of line.adjustments.filter((x) => x.effect !== 'price')) {
    const name = names.get(a.ruleId);
    step(a.effect, name?.label ?? a.ruleId, `${a.effect === 'commission' ? tr('提成', 'commission') : tr('返点', 'rebate')} · ${percent(a.rate)} × ${money(a.base)}${a.payee === undefined ? '' : ` → ${a.payee}`}`, a.amount, false);
  }
  const missed = line.explanation?.notApplied ?? [];
  return el(
    'section',
    { class: 'line-result', 'data-sku': line.sku, 'aria-labelledby': `line-${index}-h` },
    el('h3', { id: `line-${index}-h` }, `${index + 1}. ${line.sku} · ${product} × ${line.quantity}`),
    el('div', { class: 'table-wrap', role: 'region', 'aria-label': tr(`第 ${index + 1} 行价格瀑布`, `Price waterfall of line ${index + 1}`), tabindex: 0 },
      el('table', { class: 'waterfall' }, el('caption', {}, tr(`价格瀑布（${currency}）`, `Price waterfall (${currency})`)), el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, tr('步骤', 'Step')), el('th', { scope: 'col' }, tr('计算', 'How')), el('th', { scope: 'col', class: 'num' }, tr('金额', 'Amount')))), el('tbody', {}, ...rows)),
    ),
    el(
      'dl',
      { class: 'line-figures' },
      el('div', { 'data-line-figure': 'unitPrice' }, el('dt', {}, tr('单价', 'Unit price')), el('dd', {}, money(line.unitPrice))),
      el('div', { 'data-line-figure': 'amount' }, el('dt', {}, tr('金额', 'Amount')), el('dd', {}, money(line.amount))),
      el('div', { 'data-line-figure': 'commission' }, el('dt', {}, tr('提成', 'Commission')), el('dd', {}, money(line.commission))),
      el('div', { 'data-line-figure': 'rebate' }, el('dt', {}, tr('返点', 'Rebate')), el('dd', {}, money(line.rebate))),
    ),
    missed.length === 0
      ? null
      : el('details', {}, el('summary', {}, tr(`未适用的规则（${missed.length}）`, `Rules that did not apply (${missed.length})`)), el('ul', { class: 'missed' }, ...missed.map((m) => el('li', {}, el('strong', {}, names.get(m.ruleId)?.label ?? m.ruleId), ' — ', reasonText(m, names))))),
  );
}

function verifySection(): HTMLElement {
  const out = el('div', { id: 'verify-result', 'aria-live': 'polite' });
  const zone = dropZone(tr('报价文件（.json）', 'Quote file (.json)'), '.json,application/json', (file) => {
    clear(out);
    void file.text().then(async (text) => {
      try {
        const { body } = await callApi<Verdict>('/v1/quotes:verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
        append(out, verdictView(body, file.name));
      } catch (error) {
        append(out, problemView(error instanceof ApiError ? error : new Error(String(error))));
      }
    });
  });
  return el('section', { 'aria-labelledby': 'verify-h', class: 'verify' }, el('h2', { id: 'verify-h' }, tr('核验报价', 'Verify a quote')), zone, out);
}

function verdictView(verdict: Verdict, fileName: string): HTMLElement {
  const differences = verdict.differences ?? [];
  return el(
    'div',
    { class: `verdict ${verdict.valid ? 'valid' : 'invalid'}`, 'data-valid': String(verdict.valid) },
    el('p', { class: 'verdict-head' }, el('strong', {}, verdict.valid ? tr('✓ 报价有效', '✓ The quote is valid') : tr('✗ 报价无效', '✗ The quote is not valid')), ` — ${fileName}`),
    el('ul', {}, el('li', {}, `${tr('签名', 'Signature')}: ${verdict.signature}`), verdict.recomputed === undefined ? null : el('li', {}, `${tr('按规则重算', 'Recomputed under its rules')}: ${verdict.recomputed}`), verdict.reason === undefined ? null : el('li', {}, verdict.reason), verdict.expiresAt === undefined ? null : el('li', {}, `${tr('有效期至', 'Expires')} ${verdict.expiresAt}`)),
    differences.length === 0
      ? null
      : table(
          [tr('位置', 'Path'), tr('报价中', 'In the quote'), tr('重算', 'Recomputed')],
          differences.map((d) => el('tr', {}, el('td', {}, el('code', {}, d.path)), el('td', {}, JSON.stringify(d.quoted)), el('td', {}, JSON.stringify(d.recomputed)))),
          tr('差异', 'Differences'),
        ),
  );
}
