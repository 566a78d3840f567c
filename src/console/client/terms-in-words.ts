/// <reference lib="dom" />
// Rules and rule changes told in words: the rule's label and clause as the agreement states them,
// its parameters read as a finance user reads them (rates in %, factors in 折, tiers as a table).
import { discountFactor, el, labelOf, money, percent, tr, type AgreementRule, type Label } from './common';

const STAGES: Record<string, [string, string]> = {
  price: ['价格', 'Price'],
  figure: ['提成 / 返点', 'Commission / rebate'],
  gifts: ['赠品', 'Gifts'],
  refusal: ['拒单条件', 'Refusal'],
  settlement: ['结算', 'Settlement'],
  coupon: ['优惠券', 'Coupon'],
};

const OPERATORS: Record<string, string> = {
  equal: '=',
  notEqual: '≠',
  in: '∈',
  notIn: '∉',
  lessThan: '<',
  lessThanInclusive: '≤',
  greaterThan: '>',
  greaterThanInclusive: '≥',
  contains: '∋',
  doesNotContain: '∌',
};

export function stageName(stage: string | undefined): string {
  const names = stage === undefined ? undefined : STAGES[stage];
  return names === undefined ? (stage ?? '') : tr(names[0], names[1]);
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).join(lang() === 'zh' ? '、' : ', ');
  if (typeof value === 'boolean') return value ? tr('是', 'yes') : tr('否', 'no');
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function lang(): string {
  return document.body.dataset['lang'] ?? 'zh';
}

/** A condition of json-rules-engine (`{all:[…]}` / `{any:[…]}` / `{fact, operator, value}`) in words. */
export function conditionText(condition: unknown): string {
  if (typeof condition !== 'object' || condition === null) return '';
  const c = condition as { all?: unknown[]; any?: unknown[]; not?: unknown; fact?: string; operator?: string; value?: unknown };
  if (Array.isArray(c.all)) return c.all.map(conditionText).filter((s) => s !== '').join(tr(' 且 ', ' and '));
  if (Array.isArray(c.any)) return `(${c.any.map(conditionText).join(tr(' 或 ', ' or '))})`;
  if (c.not !== undefined) return `${tr('非', 'not')} (${conditionText(c.not)})`;
  if (c.fact === undefined) return '';
  return `${c.fact} ${OPERATORS[c.operator ?? ''] ?? c.operator} ${valueText(c.value)}`;
}

/** One parameter of a rule's event, read: rates as %, factors as 折, amounts grouped. */
function paramText(name: string, value: unknown): string | HTMLElement {
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) {
    if (/factor$/i.test(name)) return discountFactor(value);
    if (/rate$/i.test(name)) return percent(value);
    return money(value);
  }
  if (name === 'tiers' && Array.isArray(value)) return tiersTable(value as { from?: string; to?: string; rate?: string; factor?: string }[]);
  return valueText(value);
}

function tiersTable(tiers: readonly { from?: string; to?: string; rate?: string; factor?: string; amount?: string }[]): HTMLElement {
  return el(
    'table',
    { class: 'tiers' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, tr('自', 'From')), el('th', { scope: 'col' }, tr('至', 'To')), el('th', { scope: 'col' }, tr('比例', 'Rate')))),
    el(
      'tbody',
      {},
      ...tiers.map((tier) =>
        el(
          'tr',
          {},
          el('td', { class: 'num' }, tier.from === undefined ? '' : money(tier.from)),
          el('td', { class: 'num' }, tier.to === undefined ? tr('以上', 'and above') : money(tier.to)),
          el('td', { class: 'num' }, tier.rate !== undefined ? percent(tier.rate) : tier.factor !== undefined ? discountFactor(tier.factor) : tier.amount !== undefined ? money(tier.amount) : ''),
        ),
      ),
    ),
  );
}

const PARAM_NAMES: Record<string, [string, string]> = {
  rate: ['比例', 'rate'],
  factor: ['系数', 'factor'],
  basis: ['依据', 'basis'],
  mode: ['方式', 'mode'],
  per: ['每', 'per'],
  quantity: ['数量', 'quantity'],
  code: ['代码', 'code'],
  amount: ['金额', 'amount'],
  minimum: ['最低', 'minimum'],
  cap: ['上限', 'cap'],
  tiers: ['阶梯', 'tiers'],
};

/** A rule as a list item: label, clause, stage, parameters and when it applies. */
export function ruleItem(rule: AgreementRule): HTMLElement {
  const params = Object.entries(rule.event.params ?? {});
  return el(
    'li',
    { class: 'rule', id: `rule-${rule.id}` },
    el('p', { class: 'rule-head' }, el('strong', {}, labelOf(rule.label, rule.id)), ' ', el('span', { class: 'tag' }, stageName(rule.stage)), rule.clause === undefined ? null : el('span', { class: 'clause' }, `${tr('条款', 'Clause')} ${rule.clause}`)),
    params.length === 0
      ? null
      : el(
          'dl',
          { class: 'params' },
          ...params.flatMap(([name, value]) => {
            const names = PARAM_NAMES[name];
            return [el('dt', {}, names === undefined ? name : tr(names[0], names[1])), el('dd', {}, paramText(name, value))];
          }),
        ),
    rule.conditions === undefined ? null : el('p', { class: 'when' }, `${tr('适用条件：', 'Applies when: ')}`, el('code', {}, conditionText(rule.conditions))),
    rule.exclusivity === undefined ? null : el('p', { class: 'hint' }, tr(`与同组（${rule.exclusivity.group}）规则择优，只取其一`, `Competes in group ${rule.exclusivity.group}: the buyer gets the better one, never both`)),
    el('p', { class: 'hint' }, el('code', {}, rule.id), ` · ${rule.event.type}`),
  );
}

export interface DiffChange {
  readonly path: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

function changedValue(path: string, value: unknown): string {
  if (value === undefined) return tr('（无）', '(none)');
  const name = path.split('/').pop() ?? '';
  const read = paramText(name, value);
  return typeof read === 'string' ? read : JSON.stringify(value);
}

/** One change of a rule or term: "比例 from 5 % to 8 %". */
export function changeText(change: DiffChange): string {
  const name = change.path.split('/').filter((part) => part !== '');
  const last = name[name.length - 1] ?? '';
  const names = PARAM_NAMES[last];
  const what = last === 'zh' || last === 'en' ? `${tr('文字', 'wording')} (${last})` : names === undefined ? change.path : tr(names[0], names[1]);
  return tr(`${what}：${changedValue(change.path, change.from)} → ${changedValue(change.path, change.to)}`, `${what}: ${changedValue(change.path, change.from)} → ${changedValue(change.path, change.to)}`);
}

export interface RulesChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly { readonly ruleId: string; readonly changes: readonly DiffChange[] }[];
}

/** The rule and term changes of a diff in words; `labels` names the rules of both versions. */
export function diffInWords(rules: RulesChange, terms: readonly DiffChange[], labels: ReadonlyMap<string, Label>): HTMLElement {
  const name = (id: string): string => `${labelOf(labels.get(id), id)} (${id})`;
  const items: HTMLElement[] = [
    ...rules.added.map((id) => el('li', {}, el('span', { class: 'tag added' }, tr('新增', 'Added')), ' ', name(id))),
    ...rules.removed.map((id) => el('li', {}, el('span', { class: 'tag removed' }, tr('删除', 'Removed')), ' ', name(id))),
    ...rules.changed.map((rule) => el('li', {}, el('span', { class: 'tag changed' }, tr('修改', 'Changed')), ' ', name(rule.ruleId), el('ul', {}, ...rule.changes.map((change) => el('li', {}, changeText(change)))))),
    ...terms.map((change) => el('li', {}, el('span', { class: 'tag changed' }, tr('协议条款', 'Terms')), ' ', el('code', {}, change.path), ' ', changeText(change))),
  ];
  if (items.length === 0) return el('p', {}, tr('两个版本的规则与条款相同。', 'The two versions have the same rules and terms.'));
  return el('ul', { class: 'diff' }, ...items);
}
