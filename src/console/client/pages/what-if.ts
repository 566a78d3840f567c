/// <reference lib="dom" />
// What-if: two versions of an agreement and a file of orders → POST /v1/rulesets:diff → the change
// of each figure (net, commission, rebate) in all, per order and per SKU, as tables and a chart,
// with the rule changes in words. The file is only read into orders; the API prices them.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import {
  agreementOn,
  agreementSelect,
  append,
  appRoot,
  clear,
  dropZone,
  el,
  field,
  listAgreements,
  money,
  numCell,
  postJson,
  problemView,
  startPage,
  table,
  tr,
  type AgreementSummary,
  type Label,
} from '../common';
import { diffInWords, type DiffChange, type RulesChange } from '../terms-in-words';
import { ordersOfFile } from '../orders-file';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

type Figures = Record<'net' | 'commission' | 'rebate', string>;
interface Diff {
  readonly from: { effectiveFrom: string; rulesetVersion: string };
  readonly to: { effectiveFrom: string; rulesetVersion: string };
  readonly rules: RulesChange;
  readonly terms: readonly DiffChange[];
  readonly orders: readonly ({ id: string; from: Figures; to: Figures; change: Figures } | { id: string; error: Record<string, { code?: string; detail?: string }> })[];
  readonly skus: readonly { sku: string; quantity: number; from: Figures; to: Figures; change: Figures }[];
  readonly totals: { orders: number; failed: number; from: Figures; to: Figures; change: Figures };
}

const FIGURES = (): readonly (readonly ['net' | 'commission' | 'rebate', string])[] => [
  ['net', tr('净额', 'Net')],
  ['commission', tr('提成', 'Commission')],
  ['rebate', tr('返点', 'Rebate')],
];

startPage(async () => {
  const root = appRoot();
  clear(root);
  const agreements = await listAgreements();
  const agreement = agreementSelect(agreements, agreements.find((a) => a.versions.length > 1)?.agreement);
  const from = el('select', { name: 'from' });
  const to = el('select', { name: 'to' });
  const out = el('div', { id: 'whatif-result', 'aria-live': 'polite' });
  const fillVersions = (): void => {
    const chosen = agreements.find((a) => a.agreement === agreement.value) as AgreementSummary;
    clear(from);
    clear(to);
    chosen.versions.forEach((v, i) => {
      append(from, el('option', { value: v.effectiveFrom, selected: i === Math.max(0, chosen.versions.length - 2) }, `${v.effectiveFrom} (${v.rulesetVersion})`));
      append(to, el('option', { value: v.effectiveFrom, selected: i === chosen.versions.length - 1 }, `${v.effectiveFrom} (${v.rulesetVersion})`));
    });
  };
  agreement.addEventListener('change', fillVersions);
  fillVersions();
  const zone = dropZone(tr('订单文件（JSON、NDJSON 或结算 CSV）', 'Orders file (JSON, NDJSON or settlement CSV)'), '.json,.ndjson,.jsonl,.csv', (file) => {
    clear(out);
    void file.text().then(async (text) => {
      try {
        const orders = ordersOfFile(file.name, text);
        const [diff, before, after] = await Promise.all([
          postJson<Diff>('/v1/rulesets:diff', { agreement: agreement.value, from: from.value, to: to.value, orders }),
          agreementOn(agreement.value, from.value),
          agreementOn(agreement.value, to.value),
        ]);
        const labels = new Map<string, Label>([...before.rules, ...after.rules].map((r) => [r.id, r.label]));
        append(out, diffView(diff.body, labels));
      } catch (error) {
        append(out, problemView(error));
      }
    });
  });
  append(
    root,
    el('section', { 'aria-labelledby': 'whatif-h' },
      el('h2', { id: 'whatif-h' }, tr('比较两个版本', 'Compare two versions')),
      el('div', { class: 'row' }, field(tr('协议', 'Agreement'), agreement), field(tr('原版本', 'From version'), from), field(tr('新版本', 'To version'), to)),
      zone,
    ),
    out,
  );
});

function figureRow(id: string, label: string, f: { from: Figures; to: Figures; change: Figures }, key: 'net' | 'commission' | 'rebate'): HTMLTableRowElement {
  return el('tr', { 'data-figure': id }, el('th', { scope: 'row' }, label), numCell(money(f.from[key])), numCell(money(f.to[key])), numCell(money(f.change[key], true), f.change[key].startsWith('-') ? 'down' : 'up'));
}

function diffView(diff: Diff, labels: ReadonlyMap<string, Label>): HTMLElement {
  const head = [tr('项目', 'Figure'), diff.from.effectiveFrom, diff.to.effectiveFrom, tr('变化', 'Change')];
  const canvas = el('canvas', { id: 'whatif-chart', role: 'img', 'aria-label': tr('各项目两个版本的对比图', 'Chart: each figure under both versions') });
  const orders = diff.orders.map((o) =>
    'error' in o
      ? el('tr', {}, el('th', { scope: 'row' }, o.id), el('td', { colspan: 3 }, Object.entries(o.error).map(([side, e]) => `${side}: ${e.code ?? ''} ${e.detail ?? ''}`).join('; ')))
      : figureRow(o.id, o.id, o, 'net'),
  );
  const view = el(
    'section',
    { 'aria-labelledby': 'change-h', class: 'whatif' },
    el('h2', { id: 'change-h' }, tr(`${diff.totals.orders} 笔订单的变化`, `What changes for ${diff.totals.orders} orders`)),
    diff.totals.failed === 0 ? null : el('p', { class: 'problem' }, tr(`${diff.totals.failed} 笔订单无法在某个版本下定价（见下表）。`, `${diff.totals.failed} order(s) could not be priced under a version (see below).`)),
    table(head, FIGURES().map(([key, label]) => figureRow(key, label, diff.totals, key)), tr('合计', 'Totals'), 1),
    el('div', { class: 'chart' }, canvas),
    el('h3', {}, tr('规则变化', 'Rule changes')),
    diffInWords(diff.rules, diff.terms, labels),
    el('h3', {}, tr('按商品（净额）', 'By SKU (net)')),
    table(head, diff.skus.map((s) => figureRow(s.sku, `${s.sku} × ${s.quantity}`, s, 'net')), tr('按商品', 'By SKU'), 1),
    el('h3', {}, tr('按订单（净额）', 'By order (net)')),
    table(head, orders, tr('按订单', 'By order'), 1),
  );
  requestAnimationFrame(() => drawChart(canvas, diff));
  return view;
}

function drawChart(canvas: HTMLCanvasElement, diff: Diff): void {
  const figures = FIGURES();
  // chart.js plots numbers: the API's strings are read only to draw bars, never to compute
  const read = (f: Figures) => figures.map(([key]) => Number(f[key]));
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: figures.map(([, label]) => label),
      datasets: [
        { label: diff.from.effectiveFrom, data: read(diff.totals.from), backgroundColor: '#8a9bb0' },
        { label: diff.to.effectiveFrom, data: read(diff.totals.to), backgroundColor: '#1f5fa8' },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } } },
  });
}
