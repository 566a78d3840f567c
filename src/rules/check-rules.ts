import { PRICE_STEPS, STEP_OF_ACTION, type ActionType } from '../domain/agreement';
import { DECIMAL_FACTS, type FactName } from '../domain/line-facts';
import { Dec, isDecimalText } from '../domain/money';
import { CUSTOM_OPERATORS, DATE_OPERATORS, IDENTITY_OPERATORS } from './operators';
import { isLeaf, type AgreementJson, type ConditionJson, type RuleJson, type TierJson } from './rule-json';
import type { RuleProblem } from './ruleset-error';

const PRICE_STEP_ACTIONS: ReadonlySet<string> = new Set(Object.entries(STEP_OF_ACTION).filter(([, step]) => PRICE_STEPS.includes(step)).map(([type]) => type));
const BOOLEAN_FACTS: ReadonlySet<string> = new Set(['buyer.member', 'buyer.keyAccount']);

/**
 * Semantic checks the JSON Schema cannot express: tier tables without gaps or overlaps,
 * operators that fit the fact's type, condition values that exist in the agreement, and
 * references (gift SKUs) that resolve. Returns every problem found.
 */
export function checkRuleSemantics(file: string, rule: RuleJson, agreement: AgreementJson): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const report = (reason: string): void => {
    problems.push({ file, ruleId: rule.id, reason });
  };
  const expectedFile = `${rule.id}.json`;
  if (!file.endsWith(`/${expectedFile}`) && file !== expectedFile) report(`the file of rule ${rule.id} must be named ${expectedFile}`);
  if (rule.validFrom !== undefined && rule.validTo !== undefined && rule.validFrom > rule.validTo) {
    report(`validFrom ${rule.validFrom} is after validTo ${rule.validTo}`);
  }
  const type = rule.event.type as ActionType;
  if (rule.exclusivity !== undefined && !PRICE_STEP_ACTIONS.has(type)) {
    report(`exclusivity applies to price steps only (price-factor, percentage-discount, tiered-discount), not to ${type}`);
  }
  const params = rule.event.params;
  if (type === 'tiered-discount' || type === 'rebate-settlement') {
    const integral = params['basis'] !== 'period.volume';
    for (const reason of checkTiers(params['tiers'] as readonly TierJson[], integral)) report(reason);
  }
  if (type === 'free-goods' && typeof params['sku'] === 'string' && !agreement.catalog.some((item) => item.sku === params['sku'])) {
    report(`free-goods sku ${params['sku']} is not in the catalog`);
  }
  if (STEP_OF_ACTION[type] === undefined) report(`unknown action type ${type}`);
  walkConditions(rule.conditions, '/conditions', (leaf, path) => {
    for (const reason of checkLeaf(leaf.fact as FactName, leaf.operator, leaf.value, agreement)) report(`${path}: ${reason}`);
  });
  return problems;
}

/** Tiers must be ascending, each `to` equal to the next `from` (no gap, no overlap), the last open. */
export function checkTiers(tiers: readonly TierJson[], integral: boolean): string[] {
  const reasons: string[] = [];
  tiers.forEach((tier, i) => {
    const label = `tier ${i + 1} (from ${tier.from})`;
    if (integral && !new Dec(tier.from).isInteger()) reasons.push(`${label}: a quantity tier must start at a whole number`);
    const next = tiers[i + 1];
    if (next === undefined) {
      if (tier.to !== undefined) reasons.push(`${label}: the last tier must have no "to" (it is open-ended), or add a tier from ${tier.to}`);
      return;
    }
    if (tier.to === undefined) {
      reasons.push(`${label}: only the last tier may omit "to"; set "to": "${next.from}"`);
      return;
    }
    if (!new Dec(tier.to).gt(tier.from)) reasons.push(`${label}: "to" ${tier.to} must be greater than "from"`);
    const gap = new Dec(next.from).comparedTo(tier.to);
    if (gap > 0) reasons.push(`gap between tier ${i + 1} and tier ${i + 2}: ${tier.to} to ${next.from} has no rate; set tier ${i + 2} "from" to ${tier.to}`);
    if (gap < 0) reasons.push(`tier ${i + 1} and tier ${i + 2} overlap: tier ${i + 1} ends at ${tier.to} but tier ${i + 2} starts at ${next.from}`);
  });
  return reasons;
}

function walkConditions(condition: ConditionJson, path: string, visit: (leaf: Extract<ConditionJson, { fact: string }>, path: string) => void): void {
  if (isLeaf(condition)) {
    visit(condition, path);
  } else if ('all' in condition) {
    condition.all.forEach((child, i) => walkConditions(child, `${path}/all/${i}`, visit));
  } else if ('any' in condition) {
    condition.any.forEach((child, i) => walkConditions(child, `${path}/any/${i}`, visit));
  } else {
    walkConditions(condition.not, `${path}/not`, visit);
  }
}

function checkLeaf(fact: FactName, operator: string, value: unknown, agreement: AgreementJson): string[] {
  const reasons: string[] = [];
  const isList = operator === 'in' || operator === 'notIn';
  if (isList !== Array.isArray(value)) {
    reasons.push(isList ? `operator ${operator} needs an array value` : `operator ${operator} needs a single value, not an array`);
    return reasons;
  }
  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (DECIMAL_FACTS.has(fact)) {
    if (!(operator in CUSTOM_OPERATORS) || operator in DATE_OPERATORS) {
      reasons.push(`fact ${fact} is a number: compare it with a decimal operator (decimalEqual, decimalGreaterThanInclusive, …), not ${operator}`);
    }
    for (const v of values) {
      if (!(typeof v === 'string' && isDecimalText(v)) && !(typeof v === 'number' && Number.isInteger(v))) reasons.push(`value ${JSON.stringify(v)} is not a decimal`);
    }
    return reasons;
  }
  if (operator in DATE_OPERATORS ? fact !== 'date' : !IDENTITY_OPERATORS.has(operator)) {
    reasons.push(`operator ${operator} does not apply to fact ${fact}`);
  }
  if (BOOLEAN_FACTS.has(fact)) {
    if (values.some((v) => typeof v !== 'boolean')) reasons.push(`fact ${fact} is true or false; the value must be a boolean`);
    return reasons;
  }
  if (values.some((v) => typeof v !== 'string')) reasons.push(`fact ${fact} is text; the value must be a string`);
  const known = knownValues(fact, agreement);
  if (known !== undefined) {
    for (const v of values) if (typeof v === 'string' && !known.has(v)) reasons.push(`${fact} ${JSON.stringify(v)} does not exist in the agreement (known: ${[...known].join(', ')})`);
  }
  if (fact === 'date') for (const v of values) if (typeof v === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) reasons.push(`date ${JSON.stringify(v)} is not yyyy-mm-dd`);
  return reasons;
}

function knownValues(fact: FactName, agreement: AgreementJson): ReadonlySet<string> | undefined {
  switch (fact) {
    case 'channel':
      return new Set(agreement.channels.map((channel) => channel.id));
    case 'line.sku':
      return new Set(agreement.catalog.map((item) => item.sku));
    case 'line.category':
      return new Set(agreement.catalog.map((item) => item.category));
    default:
      return undefined;
  }
}
