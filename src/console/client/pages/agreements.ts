/// <reference lib="dom" />
// The agreements page: each agreement, its versions on a timeline, the terms of a version in
// words, its catalog and channels, and what changed between two versions (POST /v1/rulesets:diff).
import {
  agreementOn,
  append,
  appRoot,
  clear,
  el,
  field,
  labelOf,
  listAgreements,
  money,
  numCell,
  postJson,
  problemView,
  startPage,
  table,
  tr,
  type AgreementDetail,
  type AgreementSummary,
  type Label,
} from '../common';
import { diffInWords, ruleItem, stageName, type DiffChange, type RulesChange } from '../terms-in-words';

startPage(async () => {
  const root = appRoot();
  clear(root);
  const agreements = await listAgreements();
  if (agreements.length === 0) {
    append(root, el('p', {}, tr('此 API 密钥看不到任何协议。', 'This API key sees no agreement.')));
    return;
  }
  const list = el('ul', { class: 'agreements' });
  const detail = el('div', { id: 'agreement-detail' });
  append(root, el('nav', { 'aria-label': tr('协议列表', 'Agreements') }, list), detail);
  for (const agreement of agreements) {
    append(
      list,
      el('li', {}, el('button', { type: 'button', class: 'link', 'data-agreement': agreement.agreement, onclick: () => void showAgreement(detail, agreement) }, labelOf(agreement.title, agreement.agreement)), ' ', el('code', {}, agreement.agreement)),
    );
  }
  const wanted = new URLSearchParams(location.search).get('agreement');
  await showAgreement(detail, agreements.find((a) => a.agreement === wanted) ?? agreements[0]!);
});

async function showAgreement(detail: HTMLElement, agreement: AgreementSummary, version?: string): Promise<void> {
  clear(detail);
  const latest = agreement.versions[agreement.versions.length - 1]!;
  const selected = version ?? latest.effectiveFrom;
  const terms = await agreementOn(agreement.agreement, selected).catch((error: unknown) => error);
  append(detail, el('h2', {}, labelOf(agreement.title, agreement.agreement)), timeline(detail, agreement, selected));
  if (!(typeof terms === 'object' && terms !== null && 'rules' in terms)) {
    append(detail, problemView(terms));
    return;
  }
  append(detail, versionTerms(terms as AgreementDetail));
  if (agreement.versions.length > 1) append(detail, versionDiff(agreement));
}

function timeline(detail: HTMLElement, agreement: AgreementSummary, selected: string): HTMLElement {
  return el(
    'section',
    { 'aria-labelledby': 'timeline-h' },
    el('h3', { id: 'timeline-h' }, tr('版本时间线', 'Versions on a timeline')),
    el(
      'ol',
      { class: 'timeline' },
      ...agreement.versions.map((v, i) => {
        const next = agreement.versions[i + 1];
        return el(
          'li',
          { class: v.effectiveFrom === selected ? 'current' : undefined },
          el(
            'button',
            { type: 'button', 'aria-pressed': String(v.effectiveFrom === selected), onclick: () => void showAgreement(detail, agreement, v.effectiveFrom) },
            el('span', { class: 'date' }, v.effectiveFrom),
            el('span', { class: 'until' }, next === undefined ? tr('起生效至今', 'onwards') : tr(`起，至 ${next.effectiveFrom} 前`, `until ${next.effectiveFrom}`)),
            el('code', {}, v.rulesetVersion),
          ),
        );
      }),
    ),
  );
}

function versionTerms(terms: AgreementDetail): HTMLElement {
  const parties = Object.entries(terms.parties).map(([role, party]) => el('li', {}, el('strong', {}, labelOf(party.name, party.id)), ` (${role})`));
  const channels = terms.channels.map((c) =>
    el('tr', {}, el('td', {}, el('code', {}, c.id)), el('td', {}, labelOf(c.label, c.id)), el('td', {}, (c.business ?? c.chamberBusiness) === false ? tr('否', 'no') : tr('是', 'yes'))),
  );
  const catalog = terms.catalog.map((item) => el('tr', {}, el('td', {}, el('code', {}, item.sku)), el('td', {}, labelOf(item.name, item.sku)), el('td', {}, item.category), numCell(money(item.listPrice))));
  const attributes = [
    ...Object.entries(terms.attributes?.buyer ?? {}).map(([name, a]) => ['buyer', name, a] as const),
    ...Object.entries(terms.attributes?.order ?? {}).map(([name, a]) => ['order', name, a] as const),
  ].map(([scope, name, a]) => el('tr', {}, el('td', {}, el('code', {}, `${scope}.${name}`)), el('td', {}, labelOf(a.label, name)), el('td', {}, a.type + (a.values === undefined ? '' : `: ${a.values.join(', ')}`))));
  const stages = [...new Set(terms.rules.map((r) => r.stage ?? ''))];
  return el(
    'div',
    { class: 'terms' },
    el('p', {}, tr(`生效日 ${terms.effectiveFrom} · 规则版本 `, `In force from ${terms.effectiveFrom} · rule version `), el('code', {}, terms.rulesetVersion), ` · ${terms.currency} · ${terms.timeZone}`),
    terms.source === undefined ? null : el('p', { class: 'hint' }, terms.source),
    el('h3', {}, tr('当事方', 'Parties')),
    el('ul', {}, ...parties),
    el('h3', {}, tr('条款', 'Terms')),
    ...stages.map((stage) => el('section', { class: 'stage' }, el('h4', {}, stageName(stage)), el('ol', { class: 'rules' }, ...terms.rules.filter((r) => (r.stage ?? '') === stage).map(ruleItem)))),
    el('h3', {}, tr('渠道', 'Channels')),
    table([tr('代码', 'Id'), tr('名称', 'Name'), tr('协议业务', 'Under the agreement')], channels, tr('渠道', 'Channels')),
    el('h3', {}, tr('商品目录', 'Catalog')),
    table([tr('SKU', 'SKU'), tr('品名', 'Name'), tr('类别', 'Category'), tr(`牌价（${terms.currency}）`, `List price (${terms.currency})`)], catalog, tr('商品目录', 'Catalog'), 3),
    attributes.length === 0 ? null : el('h3', {}, tr('买方与订单属性', 'Buyer and order attributes')),
    attributes.length === 0 ? null : table([tr('属性', 'Attribute'), tr('含义', 'Meaning'), tr('类型', 'Type')], attributes, tr('属性', 'Attributes')),
    terms.coupons === undefined ? null : el('h3', {}, tr('优惠券', 'Coupons')),
    terms.coupons === undefined ? null : el('ul', {}, ...terms.coupons.map((c) => el('li', {}, el('code', {}, c.code), ' ', labelOf(c.label, c.code)))),
  );
}

interface RulesetDiff {
  readonly rules: RulesChange;
  readonly terms: readonly DiffChange[];
}

function versionDiff(agreement: AgreementSummary): HTMLElement {
  const versions = agreement.versions;
  const option = (v: (typeof versions)[number], selected: boolean) => el('option', { value: v.effectiveFrom, selected }, `${v.effectiveFrom} (${v.rulesetVersion})`);
  const from = el('select', { name: 'from' }, ...versions.map((v, i) => option(v, i === versions.length - 2)));
  const to = el('select', { name: 'to' }, ...versions.map((v, i) => option(v, i === versions.length - 1)));
  const out = el('div', { id: 'diff-out', 'aria-live': 'polite' });
  const form = el('form', { class: 'row' }, field(tr('从版本', 'From version'), from), field(tr('到版本', 'To version'), to), el('button', { type: 'submit' }, tr('比较', 'Compare')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clear(out);
    void (async () => {
      try {
        const [diff, before, after] = await Promise.all([
          postJson<RulesetDiff>('/v1/rulesets:diff', { agreement: agreement.agreement, from: from.value, to: to.value, orders: [] }),
          agreementOn(agreement.agreement, from.value),
          agreementOn(agreement.agreement, to.value),
        ]);
        const labels = new Map<string, Label>([...before.rules, ...after.rules].map((r) => [r.id, r.label]));
        append(out, diffInWords(diff.body.rules, diff.body.terms, labels));
      } catch (error) {
        append(out, problemView(error));
      }
    })();
  });
  return el('section', { 'aria-labelledby': 'diff-h' }, el('h3', { id: 'diff-h' }, tr('版本差异', 'What changed between versions')), form, out);
}
