import type { FactSpec } from '../domain/line-facts';
import { isDecimalText } from '../domain/money';
import type { TermAction, TermCheckContext, TermModule } from '../domain/terms/term';
import { CUSTOM_OPERATORS, DATE_OPERATORS, IDENTITY_OPERATORS, LIST_OPERATORS } from './operators';
import { isLeaf, type AgreementJson, type ConditionJson, type LeafConditionJson, type RuleJson } from './rule-json';
import type { RuleProblem } from './ruleset-error';

/** What the checks of one rule need to know of its version. */
export interface RuleCheckContext extends TermCheckContext {
  readonly agreement: AgreementJson;
  readonly facts: ReadonlyMap<string, FactSpec>;
  readonly pricingSteps: readonly string[];
}

/**
 * Semantic checks the JSON Schema cannot express: the term type's own checks (tier tables
 * without gaps, SKUs and payees that exist), the step of a price term, exclusivity on price
 * terms only, facts that exist with the params they take, operators that fit the fact's type
 * and condition values that exist in the agreement. Returns every problem found.
 */
export function checkRuleSemantics(file: string, rule: RuleJson, term: TermModule, action: TermAction, context: RuleCheckContext): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const report = (reason: string): void => {
    problems.push({ file, ruleId: rule.id, reason });
  };
  const expectedFile = `${rule.id}.json`;
  if (!file.endsWith(`/${expectedFile}`) && file !== expectedFile) report(`the file of rule ${rule.id} must be named ${expectedFile}`);
  if (rule.validFrom !== undefined && rule.validTo !== undefined && rule.validFrom > rule.validTo) {
    report(`validFrom ${rule.validFrom} is after validTo ${rule.validTo}`);
  }
  if (term.stage === 'price') {
    const step = rule.step ?? term.defaultStep;
    if (!context.pricingSteps.includes(step)) {
      report(
        rule.step === undefined
          ? `a ${term.type} runs in step "${step}" unless it names one, and this agreement's pricingSteps (${context.pricingSteps.join(', ')}) have no such step: add "step"`
          : `step "${step}" is not one of the agreement's pricingSteps (${context.pricingSteps.join(', ')})`,
      );
    }
  } else {
    if (rule.step !== undefined) report(`"step" applies to price terms only, not to ${term.type}`);
    if (rule.exclusivity !== undefined) report(`exclusivity applies to price steps only (price terms), not to ${term.type}`);
  }
  for (const reason of term.check?.(action as never, context) ?? []) report(reason);
  walkConditions(rule.conditions, '/conditions', (leaf, path) => {
    for (const reason of checkLeaf(leaf, context)) report(`${path}: ${reason}`);
  });
  return problems;
}

function walkConditions(condition: ConditionJson, path: string, visit: (leaf: LeafConditionJson, path: string) => void): void {
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

function checkLeaf(leaf: LeafConditionJson, context: RuleCheckContext): string[] {
  const { fact, operator, value } = leaf;
  const spec = context.facts.get(fact);
  if (spec === undefined) {
    const scope = fact.split('.')[0];
    const hint = scope === 'buyer' || scope === 'order' ? `; declare it in agreement.json "attributes.${scope}" or use a fact of docs/rule-authors.md` : '';
    return [`unknown fact ${fact}${hint}`];
  }
  const reasons = checkParams(spec, leaf.params);
  const isList = operator === 'in' || operator === 'notIn';
  if (isList !== Array.isArray(value)) {
    reasons.push(isList ? `operator ${operator} needs an array value` : `operator ${operator} needs a single value, not an array`);
    return reasons;
  }
  const values: unknown[] = Array.isArray(value) ? value : [value];
  switch (spec.type) {
    case 'decimal':
      if (!(operator in CUSTOM_OPERATORS) || operator in DATE_OPERATORS) {
        reasons.push(`fact ${fact} is a number: compare it with a decimal operator (decimalEqual, decimalGreaterThanInclusive, …), not ${operator}`);
      }
      for (const v of values) {
        if (!(typeof v === 'string' && isDecimalText(v)) && !(typeof v === 'number' && Number.isInteger(v))) reasons.push(`value ${JSON.stringify(v)} is not a decimal`);
      }
      return reasons;
    case 'list':
      if (!LIST_OPERATORS.has(operator)) reasons.push(`fact ${fact} is a list: use contains or doesNotContain, not ${operator}`);
      break;
    case 'date':
      if (!(operator in DATE_OPERATORS) && !IDENTITY_OPERATORS.has(operator)) reasons.push(`operator ${operator} does not apply to fact ${fact}`);
      for (const v of values) if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) reasons.push(`date ${JSON.stringify(v)} is not yyyy-mm-dd`);
      return reasons;
    case 'boolean':
      if (!IDENTITY_OPERATORS.has(operator)) reasons.push(`operator ${operator} does not apply to fact ${fact}`);
      if (values.some((v) => typeof v !== 'boolean')) reasons.push(`fact ${fact} is true or false; the value must be a boolean`);
      return reasons;
    case 'text':
      if (!IDENTITY_OPERATORS.has(operator)) reasons.push(`operator ${operator} does not apply to fact ${fact}`);
      break;
  }
  if (values.some((v) => typeof v !== 'string')) reasons.push(`fact ${fact} is text; the value must be a string`);
  const known = spec.known === undefined ? undefined : knownValues(spec.known, context);
  if (known !== undefined) {
    for (const v of values) if (typeof v === 'string' && !known.has(v)) reasons.push(`${fact} ${JSON.stringify(v)} does not exist in the agreement (known: ${[...known].join(', ') || 'none'})`);
  }
  return reasons;
}

function checkParams(spec: FactSpec, params: Readonly<Record<string, string | number>> | undefined): string[] {
  const reasons: string[] = [];
  const allowed = spec.params ?? [];
  if (params !== undefined && allowed.length === 0) return [`fact ${spec.name} takes no params`];
  for (const name of Object.keys(params ?? {})) if (!allowed.includes(name)) reasons.push(`fact ${spec.name} has no param "${name}" (params: ${allowed.join(', ')})`);
  for (const name of spec.required ?? []) if (params?.[name] === undefined) reasons.push(`fact ${spec.name} needs the param "${name}"`);
  return reasons;
}

function knownValues(kind: NonNullable<FactSpec['known']>, context: RuleCheckContext): ReadonlySet<string> {
  const agreement = context.agreement;
  switch (kind) {
    case 'channel':
      return new Set(agreement.channels.map((channel) => channel.id));
    case 'sku':
      return context.skus;
    case 'category':
      return context.categories;
    case 'tag':
      return new Set(agreement.catalog.flatMap((item) => item.tags ?? []));
    case 'coupon':
      return new Set((agreement.coupons ?? []).map((coupon) => coupon.code));
  }
}
