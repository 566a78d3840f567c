/// <reference lib="dom" />
// The settlement page: a CSV / NDJSON (or JSON) file → POST /v1/settlements, sent with XHR so the
// upload's progress is shown → the statement's figures, or every problem with its row number.
// The API does not report lines priced while it works: the bar shows the bytes sent, then the
// page says the service is pricing, and the statement states how many lines it priced.
import {
  agreementSelect,
  append,
  appRoot,
  authHeaders,
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
  discountFactor,
  problemOf,
  problemView,
  ApiError,
  startPage,
  table,
  tr,
  type Label,
} from '../common';

interface Statement {
  readonly agreement: string;
  readonly period: { from: string; to: string };
  readonly rulesetVersion: string;
  readonly currency: string;
  readonly parties?: Record<string, { id: string; name: Label }>;
  readonly volume?: Record<string, string>;
  readonly figures?: readonly { id: string; label: Label; amount: string; payer?: string; payee?: string }[];
  readonly rebates?: readonly Record<string, string>[];
  readonly priceGuarantee?: readonly { sku: string; lowestFactor: string; lowestUnitPrice: string; institution: string; breach: boolean; compensation: string }[];
  readonly discrepancies?: readonly { transaction: string; sku: string; quantity: number; invoicedUnitPrice: string; agreedUnitPrice: string; invoicedAmount: string; agreedAmount: string; difference: string }[];
  readonly claims?: readonly Record<string, unknown>[];
  readonly counts?: Record<string, number>;
  readonly [section: string]: unknown;
}

const TYPES: Record<string, string> = { csv: 'text/csv', ndjson: 'application/x-ndjson', jsonl: 'application/x-ndjson', json: 'application/json' };

startPage(async () => {
  const root = appRoot();
  clear(root);
  const agreements = await listAgreements();
  const agreement = agreementSelect(agreements);
  const from = el('input', { type: 'date', name: 'from', required: true });
  const to = el('input', { type: 'date', name: 'to', required: true });
  const progress = el('progress', { id: 'upload-progress', max: 1, value: 0, 'aria-label': tr('上传进度', 'Upload progress') });
  const status = el('p', { id: 'upload-status', role: 'status' }, tr('尚未上传文件。', 'No file sent yet.'));
  const out = el('div', { id: 'statement', 'aria-live': 'polite' });
  const zone = dropZone(tr('结算文件（CSV、NDJSON 或 JSON）', 'Settlement file (CSV, NDJSON or JSON)'), '.csv,.ndjson,.jsonl,.json,text/csv,application/x-ndjson,application/json', (file) => {
    void settle(file, agreement.value, from.value, to.value, progress, status, out);
  });
  append(
    root,
    el('section', { 'aria-labelledby': 'settle-h' },
      el('h2', { id: 'settle-h' }, tr('结算期间', 'Settlement period')),
      el('div', { class: 'row' }, field(tr('协议', 'Agreement'), agreement), field(tr('起始日', 'From'), from), field(tr('截止日', 'To'), to)),
      el('p', { class: 'hint' }, tr('CSV/NDJSON 文件的格式见 docs/settlement.md；JSON 文件自带协议与期间。', 'The CSV/NDJSON layout is in docs/settlement.md; a JSON file carries its agreement and period.')),
      zone,
      el('div', { class: 'progress' }, progress, status),
    ),
    out,
  );
});

function fileType(file: File): string | undefined {
  return TYPES[(/\.([a-z]+)$/i.exec(file.name)?.[1] ?? '').toLowerCase()];
}

function settlementUrl(agreement: string, from: string, to: string, type: string): string {
  return type === 'application/json' ? '/v1/settlements' : `/v1/settlements?${new URLSearchParams({ agreement, from, to }).toString()}`;
}

/** Sends the file with XHR (fetch reports no upload progress) and shows what comes back. */
async function settle(file: File, agreement: string, from: string, to: string, progress: HTMLProgressElement, status: HTMLElement, out: HTMLElement): Promise<void> {
  clear(out);
  const type = fileType(file);
  if (type === undefined) {
    status.textContent = tr('请使用 .csv、.ndjson 或 .json 文件。', 'Use a .csv, .ndjson or .json file.');
    return;
  }
  if (type !== 'application/json' && (from === '' || to === '')) {
    status.textContent = tr('请先填写结算期间的起始日和截止日。', 'Enter the first and last day of the period first.');
    return;
  }
  const url = settlementUrl(agreement, from, to, type);
  const total = file.size;
  progress.max = total;
  progress.value = 0;
  const xhr = new XMLHttpRequest();
  xhr.open('POST', url);
  xhr.setRequestHeader('Content-Type', type);
  xhr.setRequestHeader('Accept', 'application/json');
  for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
  xhr.upload.addEventListener('progress', (event) => {
    progress.value = event.loaded;
    status.textContent = tr(`已发送 ${money(String(event.loaded)).replace(/\.00$/, '')} / ${money(String(total))} 字节`, `Sent ${event.loaded} of ${total} bytes`);
  });
  xhr.upload.addEventListener('load', () => {
    progress.value = total;
    progress.removeAttribute('value');
    status.textContent = tr(`已发送全部 ${total} 字节；服务正在逐行定价（服务端不报告定价进度）…`, `All ${total} bytes sent; the service is pricing the lines (it does not report pricing progress)…`);
  });
  const answer = await new Promise<{ status: number; text: string }>((resolve) => {
    xhr.addEventListener('load', () => resolve({ status: xhr.status, text: xhr.responseText }));
    xhr.addEventListener('error', () => resolve({ status: 0, text: '' }));
    xhr.send(file);
  });
  progress.max = total;
  progress.value = total;
  if (answer.status === 200) {
    const statement = JSON.parse(answer.text) as Statement;
    status.textContent = tr(`完成：已定价 ${statement.counts?.['lines'] ?? '?'} 行。`, `Done: ${statement.counts?.['lines'] ?? '?'} lines priced.`);
    append(out, statementView(statement, file, url, type, answer.text));
    return;
  }
  status.textContent = answer.status === 0 ? tr('上传失败：连接中断。', 'The upload failed: the connection was lost.') : tr(`服务拒绝了此文件（HTTP ${answer.status}）。`, `The service refused the file (HTTP ${answer.status}).`);
  if (answer.status !== 0) append(out, problemView(new ApiError(problemOf(answer.status, answer.text))));
}

const KNOWN_SECTIONS = new Set(['figures', 'rebates', 'priceGuarantee', 'discrepancies']);

function partyName(s: Statement, role: string): string {
  const party = s.parties?.[role];
  return party === undefined ? role : labelOf(party.name, party.id);
}

/** A section the page has no special view for (reconciliation with claims, per-affiliate rows, programmes): its keys as columns. */
function genericTable(section: string, rows: readonly Record<string, unknown>[]): HTMLElement {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown): HTMLTableCellElement =>
    typeof value === 'string' && /^-?\d+\.\d{2}$/.test(value) ? numCell(money(value)) : el('td', {}, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? ''));
  return table(keys, rows.map((row) => el('tr', {}, ...keys.map((key) => cell(row[key])))), section);
}

const VOLUME_HEAD = (): string[] => [tr('渠道', 'Channel'), tr('业务额', 'Volume')];

function statementView(s: Statement, file: File, url: string, type: string, jsonText: string): HTMLElement {
  const parties = Object.values(s.parties ?? {}).map((p) => labelOf(p.name, p.id)).join(' × ');
  const figures = s.figures ?? [];
  const view = el(
    'section',
    { 'aria-labelledby': 'statement-h', class: 'statement' },
    el('h2', { id: 'statement-h' }, `${tr('结算单', 'Statement')} ${parties} · ${s.period.from} – ${s.period.to}`),
    el('p', { class: 'hint' }, `${s.agreement} · ${tr('规则版本', 'rule version')} `, el('code', {}, s.rulesetVersion), ` · ${s.currency}`),
    el('dl', { class: 'figures' }, ...figures.map((f) => el('div', { class: 'figure', 'data-figure': f.id }, el('dt', {}, labelOf(f.label, f.id)), el('dd', { class: 'amount' }, money(f.amount)), f.payer === undefined || f.payee === undefined ? null : el('dd', { class: 'hint' }, `${partyName(s, f.payer)} → ${partyName(s, f.payee)}`)))),
    el('div', { class: 'actions' }, downloadLink(jsonText, `statement-${s.agreement}-${s.period.from}.json`, 'application/json', tr('下载 JSON', 'Download JSON')), ...documentButtons(file, url, type)),
  );
  if (s.volume !== undefined) append(view, table(VOLUME_HEAD(), Object.entries(s.volume).map(([channel, amount]) => el('tr', { 'data-channel': channel }, el('td', {}, channel), numCell(money(amount)))), tr('各渠道业务额', 'Volume by channel'), 1));
  if (s.rebates !== undefined && s.rebates.length > 0) {
    append(view, table(
      [tr('买方', 'Buyer'), tr('业务额', 'Volume'), tr('已计提', 'Accrued'), tr('期末比例', 'Final rate'), tr('应返', 'Final'), tr('补差', 'True-up')],
      s.rebates.map((r) => el('tr', { 'data-buyer': r['buyer'] ?? '' }, el('td', {}, r['buyer'] ?? ''), numCell(money(r['volume'])), numCell(money(r['accrued'])), numCell(r['rate'] === undefined ? '' : percent(r['rate'])), numCell(money(r['final'])), numCell(money(r['trueUp'], true)))),
      tr('返点', 'Rebates'), 1));
  }
  if (s.priceGuarantee !== undefined && s.priceGuarantee.length > 0) {
    append(view, table(
      ['SKU', tr('最低成交', 'Lowest unit price'), tr('折扣', 'Factor'), tr('机构', 'Institution'), tr('违约', 'Breach'), tr('赔偿', 'Compensation')],
      s.priceGuarantee.map((g) => el('tr', {}, el('td', {}, g.sku), numCell(money(g.lowestUnitPrice)), numCell(discountFactor(g.lowestFactor)), el('td', {}, g.institution), el('td', {}, g.breach ? tr('是', 'yes') : tr('否', 'no')), numCell(money(g.compensation)))),
      tr('最低价保证', 'Price guarantee'), 1));
  }
  if (s.discrepancies !== undefined && s.discrepancies.length > 0) {
    append(view, table(
      [tr('交易', 'Transaction'), 'SKU', tr('数量', 'Qty'), tr('开票单价', 'Invoiced unit'), tr('协议单价', 'Agreed unit'), tr('开票金额', 'Invoiced'), tr('协议金额', 'Agreed'), tr('差额', 'Difference')],
      s.discrepancies.map((d) => el('tr', {}, el('td', {}, d.transaction), el('td', {}, d.sku), numCell(String(d.quantity)), numCell(money(d.invoicedUnitPrice)), numCell(money(d.agreedUnitPrice)), numCell(money(d.invoicedAmount)), numCell(money(d.agreedAmount)), numCell(money(d.difference, true)))),
      tr('开票差异', 'Invoice discrepancies'), 2));
  }
  for (const [section, rows] of Object.entries(s)) {
    if (!KNOWN_SECTIONS.has(section) && Array.isArray(rows) && rows.length > 0 && typeof rows[0] === 'object') append(view, genericTable(section, rows as Record<string, unknown>[]));
  }
  if (s.counts !== undefined) append(view, el('p', { class: 'hint', id: 'counts' }, Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(' · ')));
  return view;
}

/** Buttons that send the same file again asking for the printable (HTML) or spreadsheet statement. */
function documentButtons(file: File, url: string, type: string): HTMLElement[] {
  const formats = [
    { accept: 'text/html', ext: 'html', text: tr('可打印结算单（HTML）', 'Printable statement (HTML)') },
    { accept: 'text/csv', ext: 'csv', text: tr('结算单 CSV', 'Statement CSV') },
    { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx', text: tr('结算单 Excel（.xlsx）', 'Statement Excel (.xlsx)') },
  ];
  return formats.map((format) => {
    const button = el('button', { type: 'button', class: 'secondary' }, format.text);
    button.addEventListener('click', () => {
      button.disabled = true;
      void fetch(url, { method: 'POST', headers: { 'Content-Type': type, Accept: format.accept, ...authHeaders() }, body: file })
        .then(async (response) => {
          if (!response.ok) {
            const problem = problemOf(response.status, await response.text());
            button.replaceWith(el('span', { class: 'hint' }, response.status === 406 ? tr(`${format.ext} 格式此服务暂不提供`, `${format.ext} is not offered by this service`) : `${format.ext}: ${problem.detail ?? response.status}`));
            return;
          }
          const link = downloadLink(await response.blob(), `statement.${format.ext}`, format.accept, format.text);
          button.replaceWith(link);
          link.click();
        })
        .finally(() => {
          button.disabled = false;
        });
    });
    return button;
  });
}
