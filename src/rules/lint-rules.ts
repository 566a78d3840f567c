import type { PricingRule } from '../domain/agreement';
import { buildLineFacts, type Facts } from '../domain/line-facts';
import { Dec, formatUnitPrice } from '../domain/money';
import { priceQuote } from '../domain/price-quote';
import type { QuoteInput } from '../domain/quote';
import { enumerateScenarios, periodVolumeBoundaries, type Scenario } from './fact-space';
import type { RuleCatalog, RuleSet } from './rule-catalog';
import { isLeaf, type ConditionJson } from './rule-json';
import type { RuleProblem } from './ruleset-error';
import { timeSlicer, yieldToEventLoop } from './time-slicer';

/** What the lint found: errors refuse the rules (non-zero exit, reload refused), warnings do not. */
export interface LintResult {
  readonly errors: RuleProblem[];
  readonly warnings: RuleProblem[];
  /** How many requests the exhaustive checks priced, over all versions. */
  readonly combinations: number;
}

/** Lints every version of every agreement of a catalog (see {@link lintRuleSet}). */
export async function lintCatalog(catalog: RuleCatalog): Promise<LintResult> {
  const result: LintResult = { errors: [], warnings: [], combinations: 0 };
  let combinations = 0;
  for (const id of catalog.agreementIds()) {
    const versions = catalog.versions(id);
    for (const [i, ruleSet] of versions.entries()) {
      const one = await lintRuleSet(ruleSet, versions[i + 1]?.version.effectiveFrom);
      result.errors.push(...one.errors);
      result.warnings.push(...one.warnings);
      combinations += one.combinations;
    }
  }
  return { ...result, combinations };
}

/**
 * The checks beyond the schema and the load-time semantics, for one version:
 * - rates and factors out of their useful range (a 100 % discount, a zero price factor, …);
 * - exclusivity groups with a single member (a misspelt group lets discounts stack);
 * - rules that can never fire, and the price-guarantee floor: no request allowed by the rules
 *   may price a SKU below list × the guarantee factor outside the guaranteed channel. Both are
 *   decided over every combination of channel, buyer flags, SKU, quantity, order total, line
 *   count and date on either side of each boundary the rules draw ({@link enumerateScenarios}).
 *
 * @param until the next version's effectiveFrom, so dates after this version are not checked
 */
export async function lintRuleSet(ruleSet: RuleSet, until?: string): Promise<LintResult> {
  const errors: RuleProblem[] = [];
  const warnings: RuleProblem[] = [];
  const key = `${ruleSet.version.agreement}/${ruleSet.version.effectiveFrom}`;
  const fileOf = (ruleId: string): string => `${key}/rules/${ruleId}.json`;
  checkActionRanges(ruleSet.version.rules, fileOf, errors, warnings);
  checkExclusivityGroups(ruleSet.version.rules, fileOf, errors);

  const scenarios = enumerateScenarios(ruleSet, until);
  await yieldToEventLoop();
  const fired = await evaluateTargets(ruleSet, scenarios);
  await yieldToEventLoop();
  const everFired = new Set<string>(fired.flatMap((rules) => rules.map((rule) => rule.id)));
  for (const id of await firedWithPeriodVolume(ruleSet, scenarios)) everFired.add(id);
  for (const id of await firedWithAggregates(ruleSet, scenarios, everFired)) everFired.add(id);
  for (const rule of ruleSet.version.rules) {
    if (everFired.has(rule.id)) continue;
    errors.push({
      file: fileOf(rule.id),
      ruleId: rule.id,
      reason: `can never fire: no request allowed by the agreement satisfies its conditions while it is in force (${scenarios.length} combinations checked over every boundary)`,
      hint: neverFiresHint(rule, ruleSet.version.effectiveFrom, until),
    });
  }
  errors.push(...(await checkPriceFloor(ruleSet, scenarios, fired, fileOf, key)));
  return { errors, warnings, combinations: scenarios.length };
}

/** The fired rules of line 0 of each scenario, evaluated date by date. */
async function evaluateTargets(ruleSet: RuleSet, scenarios: readonly Scenario[]): Promise<(readonly PricingRule[])[]> {
  const fired: (readonly PricingRule[])[] = new Array(scenarios.length);
  const byDate = new Map<string, number[]>();
  scenarios.forEach((scenario, i) => byDate.set(scenario.input.date, [...(byDate.get(scenario.input.date) ?? []), i]));
  for (const [date, indexes] of byDate) {
    const facts = indexes.map((i) => targetFacts(ruleSet, scenarios[i]!.input));
    const evaluations = await ruleSet.evaluator.evaluateLines(date, facts, { explain: false });
    indexes.forEach((scenarioIndex, j) => {
      fired[scenarioIndex] = evaluations[j]!.fired;
    });
  }
  return fired;
}

/** Rules that fire only at settlement, when period.volume has a value (quotes leave it null). */
async function firedWithPeriodVolume(ruleSet: RuleSet, scenarios: readonly Scenario[]): Promise<string[]> {
  const volumes = periodVolumeBoundaries(ruleSet);
  if (volumes.length === 0) return [];
  const ids = new Set<string>();
  for (const volume of volumes) {
    const inputs = scenarios.filter((scenario) => scenario.input.lines.length === 1);
    const byDate = new Map<string, Facts[]>();
    for (const { input } of inputs) byDate.set(input.date, [...(byDate.get(input.date) ?? []), { ...targetFacts(ruleSet, input), 'period.volume': volume }]);
    for (const [date, facts] of byDate) {
      for (const evaluation of await ruleSet.evaluator.evaluateLines(date, facts, { explain: false })) for (const rule of evaluation.fired) ids.add(rule.id);
    }
  }
  return [...ids];
}

function targetFacts(ruleSet: RuleSet, input: QuoteInput): Facts {
  return buildLineFacts(ruleSet.version, input)[0]!;
}

interface FloorViolation {
  readonly scenario: Scenario;
  readonly unitPrice: Dec;
  readonly floor: Dec;
  readonly listPrice: string;
  readonly blamed: readonly string[];
  readonly skus: Set<string>;
  count: number;
}

async function checkPriceFloor(ruleSet: RuleSet, scenarios: readonly Scenario[], fired: readonly (readonly PricingRule[])[], fileOf: (id: string) => string, key: string): Promise<RuleProblem[]> {
  const guarantees = ruleSet.version.rules.filter((rule) => rule.action.type === 'price-guarantee');
  if (guarantees.length === 0) return [];
  const factor = Dec.max(...guarantees.map((rule) => (rule.action.type === 'price-guarantee' ? rule.action.factor : new Dec(0))));
  const guaranteeIds = guarantees.map((rule) => rule.id).join(', ');
  // one problem per channel and set of discounting rules; the example is the deepest cut below the floor
  const violations = new Map<string, FloorViolation>();
  const slicer = timeSlicer(); // thousands of quotes: let requests through while a reload lints
  for (const [i, scenario] of scenarios.entries()) {
    await slicer.maybeYield();
    const rules = fired[i]!;
    if (rules.some((rule) => rule.action.type === 'price-guarantee')) continue; // the guaranteed channel itself
    const line = priceQuote(ruleSet.version, scenario.input, [rules]).lines[0]!;
    const floor = ruleSet.version.catalog.get(line.sku)!.listPrice.times(factor);
    const unitPrice = new Dec(line.unitPrice);
    if (unitPrice.gte(floor)) continue;
    const priceSteps = line.adjustments.filter((adjustment) => adjustment.effect === 'price');
    const blamed = [...priceSteps].sort((a, b) => new Dec(a.amount).comparedTo(b.amount)).map((adjustment) => adjustment.ruleId);
    const group = `${scenario.input.channel}\u0000${blamed.join(',')}`;
    const known = violations.get(group);
    if (known === undefined || unitPrice.div(floor).lt(known.unitPrice.div(known.floor))) {
      violations.set(group, { scenario, unitPrice, floor, listPrice: line.listPrice, blamed, skus: known?.skus ?? new Set(), count: known?.count ?? 0 });
    }
    const entry = violations.get(group)!;
    entry.skus.add(line.sku);
    entry.count += 1;
  }
  const floorRules = ruleSet.version.rules.filter((rule) => rule.action.type === 'price-floor').map((rule) => rule.id);
  return [...violations.values()].map((v) => {
    const input = v.scenario.input;
    const total = input.lines.reduce((sum, line) => sum + line.quantity, 0);
    const traits = Object.entries(input.buyer).flatMap(([name, value]) => (name === 'id' || value === false || value === null || value === undefined ? [] : [value === true ? name : `${name} ${String(value)}`]));
    const buyer = traits.length === 0 ? 'buyer with no declared attribute set' : `buyer (${traits.join(', ')})`;
    const culprit = v.blamed[0];
    return {
      file: culprit === undefined ? `${key}/` : fileOf(culprit),
      ...(culprit === undefined ? {} : { ruleId: culprit }),
      reason:
        `price-guarantee floor broken on channel ${input.channel}${v.blamed.length === 0 ? '' : ` after ${v.blamed.join(', ')}`}: ` +
        `${[...v.skus].join(', ')} can be priced below list × ${factor.toFixed()} (${guaranteeIds}); ` +
        `e.g. ${input.lines[0]!.sku} at ${formatUnitPrice(v.unitPrice)} < ${formatUnitPrice(v.floor)} (list ${v.listPrice}) for a ${buyer} buying ${input.lines[0]!.quantity} ` +
        `(order total ${total} in ${input.lines.length} line${input.lines.length === 1 ? '' : 's'}) on ${input.date}; ${v.count} combination${v.count === 1 ? '' : 's'} in all`,
      hint:
        floorRules.length === 0
          ? `add a price-floor rule with factor ${factor.toFixed()} for every channel but the guaranteed one`
          : `widen the conditions of ${floorRules.join(', ')} (factor ≥ ${factor.toFixed()}) to cover channel ${input.channel}, or reduce the discount${culprit === undefined ? '' : ` of ${culprit}`}`,
    };
  });
}

/** Each rule's own lint ranges, from its term type's module. */
function checkActionRanges(rules: readonly PricingRule[], fileOf: (id: string) => string, errors: RuleProblem[], warnings: RuleProblem[]): void {
  for (const rule of rules) {
    const found = rule.term.lint?.(rule.action as never);
    if (found === undefined) continue;
    const at = { file: fileOf(rule.id), ruleId: rule.id };
    for (const finding of found.errors) errors.push({ ...at, reason: finding.reason, ...(finding.hint === undefined ? {} : { hint: finding.hint }) });
    for (const finding of found.warnings) warnings.push({ ...at, reason: finding.reason, ...(finding.hint === undefined ? {} : { hint: finding.hint }) });
  }
}

function checkExclusivityGroups(rules: readonly PricingRule[], fileOf: (id: string) => string, errors: RuleProblem[]): void {
  const members = new Map<string, string[]>();
  for (const rule of rules) if (rule.exclusivity !== undefined) members.set(rule.exclusivity.group, [...(members.get(rule.exclusivity.group) ?? []), rule.id]);
  for (const [group, ids] of members) {
    if (ids.length !== 1) continue;
    const others = [...members.keys()].filter((name) => name !== group);
    errors.push({
      file: fileOf(ids[0]!),
      ruleId: ids[0]!,
      reason: `exclusivity group "${group}" has a single member, so it excludes nothing`,
      hint: `${others.length === 0 ? '' : `if you meant one of ${others.map((name) => `"${name}"`).join(', ')}, fix the spelling; `}otherwise add the competing rule to the group or remove "exclusivity"`,
    });
  }
}

function neverFiresHint(rule: PricingRule, effectiveFrom: string, until: string | undefined): string {
  const window = `${effectiveFrom} … ${until === undefined ? 'open' : `before ${until}`}`;
  if (rule.validTo !== undefined && rule.validTo < effectiveFrom) return `validTo ${rule.validTo} is before the version takes effect (${window}); remove the rule from this version`;
  if (rule.validFrom !== undefined && until !== undefined && rule.validFrom >= until) return `validFrom ${rule.validFrom} is after this version is superseded (${window}); move the rule to the later version`;
  return 'check its conditions: they contradict each other or name values no request can have (e.g. a channel the rule excludes elsewhere in all[])';
}

/**
 * Rules that read order aggregates the scenarios do not build (parameterised facts, list
 * amounts): evaluated again with those facts set to every combination of the values on both
 * sides of each boundary their conditions draw. That is a superset of what orders can give, so
 * a rule that fires on none of them can never fire.
 */
async function firedWithAggregates(ruleSet: RuleSet, scenarios: readonly Scenario[], everFired: ReadonlySet<string>): Promise<string[]> {
  const reads = rulesReadingUnenumeratedFacts(ruleSet);
  const ids: string[] = [];
  const single = scenarios.filter((scenario) => scenario.input.lines.length === 1);
  for (const [ruleId, bounds] of reads) {
    if (everFired.has(ruleId)) continue;
    let overrides: Record<string, string>[] = [{}];
    for (const [fact, values] of bounds) overrides = overrides.flatMap((override) => [...values].map((value) => ({ ...override, [fact]: value })));
    const byDate = new Map<string, Facts[]>();
    for (const { input } of single) for (const override of overrides) byDate.set(input.date, [...(byDate.get(input.date) ?? []), { ...targetFacts(ruleSet, input), ...override }]);
    search: for (const [date, facts] of byDate) {
      for (const evaluation of await ruleSet.evaluator.evaluateLines(date, facts, { explain: false })) {
        if (evaluation.fired.some((rule) => rule.id === ruleId)) {
          ids.push(ruleId);
          break search;
        }
      }
    }
  }
  return ids;
}

/** Per rule, the facts {@link enumerateScenarios} never varies (parameterised order aggregates, list amounts) and the values on both sides of each of their boundaries. */
function rulesReadingUnenumeratedFacts(ruleSet: RuleSet): Map<string, Map<string, Set<string>>> {
  const found = new Map<string, Map<string, Set<string>>>();
  const visit = (ruleId: string, condition: ConditionJson): void => {
    if (isLeaf(condition)) {
      if (!(condition.fact.includes('(') || condition.fact === 'order.listAmount' || condition.fact === 'line.listAmount')) return;
      const facts = found.get(ruleId) ?? new Map<string, Set<string>>();
      found.set(ruleId, facts);
      const values = facts.get(condition.fact) ?? new Set<string>(['0']);
      facts.set(condition.fact, values);
      const step = condition.fact.includes('Amount') ? '0.01' : '1';
      for (const value of Array.isArray(condition.value) ? condition.value : [condition.value]) {
        if ((typeof value !== 'string' && typeof value !== 'number') || !/^-?\d+(\.\d+)?$/.test(String(value))) continue;
        const at = new Dec(value);
        for (const candidate of [at.minus(step), at, at.plus(step)]) if (!candidate.isNegative()) values.add(step === '1' ? candidate.toFixed(0) : candidate.toFixed(2));
      }
    } else if ('all' in condition) condition.all.forEach((child) => visit(ruleId, child));
    else if ('any' in condition) condition.any.forEach((child) => visit(ruleId, child));
    else visit(ruleId, condition.not);
  };
  for (const rule of ruleSet.rules) visit(rule.id, rule.conditions);
  return found;
}
