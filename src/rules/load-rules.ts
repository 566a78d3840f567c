import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { DEFAULT_PRICING_STEPS, type Action, type AgreementVersion, type AttributeDeclaration, type CatalogItem, type Channel, type Coupon, type Party, type PricingRule } from '../domain/agreement';
import { factSpecsOf, paramFactKey, type FactSpec, type OrderFactUse } from '../domain/line-facts';
import { Dec } from '../domain/money';
import type { StatementDeclaration } from '../domain/statement-figures';
import { TERMS, type TermRegistry } from '../domain/terms/registry';
import type { TermModule } from '../domain/terms/term';
import { checkRuleSemantics, type RuleCheckContext } from './check-rules';
import { checkRulesLock, LOCK_FILE, readRulesLock, type HashedVersion, type LockMode } from './rules-lock';
import { isLeaf, type AgreementJson, type AttributeJson, type ConditionJson, type PresentationJson, type RuleJson, type StatementJson } from './rule-json';
import { RulesetError, type RuleProblem } from './ruleset-error';

/** One loaded agreement version: the domain view plus the authored JSON it came from. */
export interface LoadedVersion {
  readonly version: AgreementVersion;
  readonly agreementJson: AgreementJson;
  readonly rules: readonly RuleJson[];
  /** Paths relative to the rules directory, sorted. */
  readonly files: readonly string[];
  /** The fact names the version's conditions may read (parameterised facts by their keys). */
  readonly factKeys: ReadonlySet<string>;
}

/** Every agreement found under a rules directory, versions sorted by effectiveFrom. */
export interface LoadedRules {
  readonly dir: string;
  readonly agreements: ReadonlyMap<string, readonly LoadedVersion[]>;
}

const VERSION_FOLDER = /^\d{4}-\d{2}-\d{2}$/;
const NON_AGREEMENT_FOLDERS = new Set(['schema']);

interface Validators {
  readonly agreement: ValidateFunction;
  readonly rule: ValidateFunction;
  /** A version's presentation.json: agreement.json's `presentation` member, on its own. */
  readonly presentation: ValidateFunction;
}

/**
 * The optional file beside agreement.json that says how people read the version's statements
 * (the same members as agreement.json's `presentation`, which it overrides member by member).
 * It changes no figure and no quote, so it is not part of the version's content hash: a
 * published version can learn to show its price factors as 折 without becoming another version.
 */
export const PRESENTATION_FILE = 'presentation.json';

const validatorsByRegistry = new WeakMap<TermRegistry, Validators>();

/** The schemas of agreement.json and a rule file; a rule's event schema comes from the term registry. */
function schemaValidators(rulesDir: string, terms: TermRegistry): Validators {
  let validators = validatorsByRegistry.get(terms);
  if (validators === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, discriminator: true, verbose: true });
    addFormats(ajv);
    const read = (name: string): object => JSON.parse(readFileSync(path.join(rulesDir, 'schema', name), 'utf8')) as object;
    const ruleSchema = read('rule.schema.json');
    ajv.addSchema(ruleSchema);
    ajv.addSchema(terms.eventSchema());
    const agreementSchema = read('agreement.schema.json') as { $id: string };
    const agreement = ajv.compile(agreementSchema);
    validators = { agreement, rule: ajv.getSchema((ruleSchema as { $id: string }).$id)!, presentation: ajv.getSchema(`${agreementSchema.$id}#/properties/presentation`)! };
    validatorsByRegistry.set(terms, validators);
  }
  return validators;
}

/** Options of {@link loadRules}. */
export interface LoadRulesOptions {
  /** How rules.lock.json is checked; default `if-present`. */
  readonly lock?: LockMode;
  /** The term types rule files may use; default the built-in ones. */
  readonly terms?: TermRegistry;
}

/**
 * Loads and validates every agreement under `rulesDir` (layout: `<agreement>/<effectiveFrom>/
 * agreement.json` and `rules/*.json`) and checks each version's content hash against
 * rules.lock.json. Throws {@link RulesetError} listing every problem — file, rule id,
 * reason — when anything is wrong; nothing is half-loaded.
 */
export function loadRules(rulesDir: string, options: LoadRulesOptions = {}): LoadedRules {
  const dir = path.resolve(rulesDir);
  const problems: RuleProblem[] = [];
  const agreements = new Map<string, LoadedVersion[]>();
  const refused = new Set<string>();
  const terms = options.terms ?? TERMS;
  const validators = schemaValidators(dir, terms);

  for (const agreementId of listDirs(dir)) {
    if (NON_AGREEMENT_FOLDERS.has(agreementId)) continue;
    const versions: LoadedVersion[] = [];
    const folders = listDirs(path.join(dir, agreementId)).filter((folder) => VERSION_FOLDER.test(folder));
    if (folders.length === 0) problems.push({ file: `${agreementId}/`, reason: 'no version folder (yyyy-mm-dd) with an agreement.json' });
    for (const folder of folders) {
      const loaded = loadVersion(dir, `${agreementId}/${folder}`, agreementId, folder, validators, terms, problems);
      if (loaded !== undefined) versions.push(loaded);
      else refused.add(`${agreementId}/${folder}`);
    }
    if (versions.length === 0) continue;
    versions.sort((a, b) => a.version.effectiveFrom.localeCompare(b.version.effectiveFrom));
    agreements.set(agreementId, versions);
  }
  if (agreements.size === 0 && problems.length === 0) problems.push({ file: dir, reason: 'no agreement found' });
  const lockMode = options.lock ?? 'if-present';
  if (lockMode !== 'ignore') {
    const lock = readRulesLock(dir, problems);
    if (lock !== undefined) {
      problems.push(...checkRulesLock([...agreements.values()].flat().map(hashedVersion), lock, refused));
    } else if (lockMode === 'required' && !problems.some((problem) => problem.file === LOCK_FILE)) {
      problems.push({ file: LOCK_FILE, reason: 'is missing: every served version must be recorded; run `npx suanpan rules lint --update-lock` to validate the versions and create it' });
    }
  }
  if (problems.length > 0) throw new RulesetError(problems);
  return { dir, agreements };
}

function loadVersion(
  dir: string,
  relDir: string,
  agreementId: string,
  folder: string,
  validate: Validators,
  terms: TermRegistry,
  problems: RuleProblem[],
): LoadedVersion | undefined {
  const before = problems.length;
  const agreementFile = `${relDir}/agreement.json`;
  const agreementJson = readJson(dir, agreementFile, problems) as AgreementJson | undefined;
  if (agreementJson === undefined) return undefined;
  if (!validate.agreement(agreementJson)) {
    for (const error of meaningfulErrors(validate.agreement.errors ?? [])) problems.push({ file: agreementFile, reason: describeAjvError(error) });
    return undefined;
  }
  if (agreementJson.agreement !== agreementId) problems.push({ file: agreementFile, reason: `"agreement" is ${agreementJson.agreement} but the folder is ${agreementId}` });
  if (agreementJson.effectiveFrom !== folder) problems.push({ file: agreementFile, reason: `"effectiveFrom" is ${agreementJson.effectiveFrom} but the folder is ${folder}` });
  for (const [what, ids] of [
    ['SKU', agreementJson.catalog.map((item) => item.sku)],
    ['channel', agreementJson.channels.map((channel) => channel.id)],
    ['coupon', (agreementJson.coupons ?? []).map((coupon) => coupon.code)],
  ] as const) {
    for (const id of duplicates(ids)) problems.push({ file: agreementFile, reason: `${what} ${id} is listed twice` });
  }
  if (agreementJson.timeZone !== undefined && !isTimeZone(agreementJson.timeZone)) problems.push({ file: agreementFile, reason: `timeZone ${agreementJson.timeZone} is not an IANA time zone this runtime knows` });
  const presentation = readPresentation(dir, relDir, agreementJson, validate.presentation, problems);
  const attributes = toAttributes(agreementJson);
  for (const reason of checkStatement(agreementJson, attributes)) problems.push({ file: agreementFile, reason });
  const context: RuleCheckContext = {
    agreement: agreementJson,
    facts: factSpecsOf(attributes),
    pricingSteps: agreementJson.pricingSteps ?? DEFAULT_PRICING_STEPS,
    skus: new Set(agreementJson.catalog.map((item) => item.sku)),
    categories: new Set(agreementJson.catalog.map((item) => item.category)),
    partyRoles: new Set([...Object.keys(agreementJson.parties), 'buyer']),
    orderAttributes: new Set(attributes.order.keys()),
    buyerAttributes: new Set(attributes.buyer.keys()),
  };

  const ruleFiles = listFiles(path.join(dir, relDir, 'rules')).filter((name) => name.endsWith('.json')).map((name) => `${relDir}/rules/${name}`);
  const rules: ParsedRule[] = [];
  for (const file of ruleFiles) {
    const json = readJson(dir, file, problems);
    if (json === undefined) continue;
    const ruleId = typeof (json as { id?: unknown }).id === 'string' ? (json as { id: string }).id : undefined;
    if (!validate.rule(json)) {
      for (const error of meaningfulErrors(validate.rule.errors ?? [])) problems.push({ file, ruleId, reason: describeAjvError(error) });
      continue;
    }
    const rule = json as RuleJson;
    const term = terms.get(rule.event.type)!;
    const action = term.parse(rule.event.params) as Action;
    problems.push(...checkRuleSemantics(file, rule, term, action, context));
    rules.push({ json: rule, term, action });
  }
  if (rules.length === 0) problems.push({ file: `${relDir}/rules/`, reason: 'no rule files' });
  for (const id of duplicates(rules.map((rule) => rule.json.id))) problems.push({ file: `${relDir}/rules/`, ruleId: id, reason: `rule id ${id} is used by two files` });
  checkExclusivityPolicies(rules, relDir, problems);
  if (problems.length > before) return undefined;

  const files = [agreementFile, ...ruleFiles].sort();
  const flattened = flattenRules(rules.map((rule) => rule.json));
  return {
    version: toAgreementVersion(agreementJson, presentation, attributes, rules, flattened, contentHash(dir, files)),
    agreementJson,
    rules: flattened.rules,
    files,
    factKeys: new Set([...[...context.facts.values()].filter((spec: FactSpec) => spec.params === undefined).map((spec) => spec.name), ...flattened.orderFacts.map((use) => use.key)]),
  };
}

interface ParsedRule {
  readonly json: RuleJson;
  readonly term: TermModule;
  readonly action: Action;
}

/** The members of an exclusivity group must share a policy and a step. */
function checkExclusivityPolicies(rules: readonly ParsedRule[], relDir: string, problems: RuleProblem[]): void {
  const first = new Map<string, ParsedRule>();
  for (const rule of rules) {
    const group = rule.json.exclusivity?.group;
    if (group === undefined) continue;
    const seen = first.get(group);
    if (seen === undefined) {
      first.set(group, rule);
      continue;
    }
    const file = `${relDir}/rules/${rule.json.id}.json`;
    if (seen.json.exclusivity!.policy !== rule.json.exclusivity!.policy) problems.push({ file, ruleId: rule.json.id, reason: `exclusivity group "${group}" has policy ${seen.json.exclusivity!.policy} in ${seen.json.id}; every member must have the same policy` });
    const stepOf = (r: ParsedRule): string | undefined => r.json.step ?? (r.term.stage === 'price' ? r.term.defaultStep : undefined);
    if (stepOf(seen) !== stepOf(rule)) problems.push({ file, ruleId: rule.json.id, reason: `exclusivity group "${group}" spans steps ${stepOf(seen)} and ${stepOf(rule)}; its members must run in one step` });
  }
}

function toAttributes(json: AgreementJson): AgreementVersion['attributes'] {
  const declarations = (declared: Readonly<Record<string, AttributeJson>> | undefined): Map<string, AttributeDeclaration> =>
    new Map(Object.entries(declared ?? {}).map(([name, attribute]) => [name, { type: attribute.type, ...(attribute.values === undefined ? {} : { values: attribute.values }), ...(attribute.label === undefined ? {} : { label: attribute.label }) }]));
  return { buyer: declarations(json.attributes?.buyer), order: declarations(json.attributes?.order) };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The rules with every parameterised fact folded into its key (order.skuQuantity with
 * {sku: "SKU-1"} → "order.skuQuantity(sku=SKU-1)"), as the evaluators read them, and the
 * order facts those keys name.
 */
function flattenRules(rules: readonly RuleJson[]): { rules: RuleJson[]; orderFacts: OrderFactUse[] } {
  const orderFacts = new Map<string, OrderFactUse>();
  const flatten = (condition: ConditionJson): ConditionJson => {
    if (isLeaf(condition)) {
      if (condition.params === undefined) return condition;
      const key = paramFactKey(condition.fact, condition.params);
      if (!orderFacts.has(key)) orderFacts.set(key, { key, fact: condition.fact, params: condition.params });
      return { fact: key, operator: condition.operator, value: condition.value };
    }
    if ('all' in condition) return { all: condition.all.map(flatten) };
    if ('any' in condition) return { any: condition.any.map(flatten) };
    return { not: flatten(condition.not) };
  };
  const flat = rules.map((rule) => (JSON.stringify(rule.conditions).includes('"params"') ? { ...rule, conditions: flatten(rule.conditions) } : rule));
  return { rules: flat, orderFacts: [...orderFacts.values()] };
}

/** A loaded version as the lock file sees it. */
export function hashedVersion(loaded: LoadedVersion): HashedVersion {
  return { key: `${loaded.version.agreement}/${loaded.version.effectiveFrom}`, rulesetVersion: loaded.version.rulesetVersion, files: loaded.files };
}

/** sha256 over each file's relative path and bytes, in path order: the rule set's version. */
export function contentHash(dir: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(file);
    hash.update('\u0000');
    hash.update(readFileSync(path.join(dir, file)));
    hash.update('\u0000');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Where a term's rules run: price steps in the agreement's order, then refusals, figures, caps, gifts, settlement terms. */
function stageRank(term: TermModule, step: string | undefined, steps: readonly string[]): number {
  switch (term.stage) {
    case 'price':
      return steps.indexOf(step!);
    case 'refusal':
      return steps.length;
    case 'figure':
      return steps.length + (term.effect === 'commission' ? 1 : 2);
    case 'order-figure':
      return steps.length + 3;
    case 'gifts':
      return steps.length + 4;
    case 'settlement':
      return steps.length + 5;
  }
}

/** agreement.json's `presentation`, overridden member by member by the version's presentation.json when there is one. */
function readPresentation(dir: string, relDir: string, agreementJson: AgreementJson, validate: ValidateFunction, problems: RuleProblem[]): PresentationJson {
  const declared = agreementJson.presentation ?? {};
  const file = `${relDir}/${PRESENTATION_FILE}`;
  if (!existsSync(path.join(dir, file))) return declared;
  const json = readJson(dir, file, problems);
  if (json === undefined) return declared;
  if (!validate(json)) {
    for (const error of meaningfulErrors(validate.errors ?? [])) problems.push({ file, reason: describeAjvError(error) });
    return declared;
  }
  return { ...declared, ...(json as PresentationJson) };
}

function toAgreementVersion(json: AgreementJson, presentation: PresentationJson, attributes: AgreementVersion['attributes'], parsed: readonly ParsedRule[], flattened: { rules: readonly RuleJson[]; orderFacts: readonly OrderFactUse[] }, rulesetVersion: string): AgreementVersion {
  const channels = new Map<string, Channel>(json.channels.map((channel) => [channel.id, { id: channel.id, business: channel.business ?? channel.chamberBusiness ?? true, label: channel.label }]));
  const catalog = new Map<string, CatalogItem>(
    json.catalog.map((item) => [item.sku, { sku: item.sku, name: item.name, category: item.category, tags: item.tags ?? [], listPrice: new Dec(item.listPrice) }]),
  );
  const parties = new Map<string, Party>(Object.entries(json.parties).map(([role, party]) => [role, { role, id: party.id, name: party.name }]));
  const steps = json.pricingSteps ?? DEFAULT_PRICING_STEPS;
  const pricingRules: PricingRule[] = parsed.map(({ json: rule, term, action }) => ({
    id: rule.id,
    clause: rule.clause,
    label: rule.label,
    priority: rule.priority,
    ...(rule.exclusivity === undefined ? {} : { exclusivity: rule.exclusivity }),
    ...(rule.validFrom === undefined ? {} : { validFrom: rule.validFrom }),
    ...(rule.validTo === undefined ? {} : { validTo: rule.validTo }),
    ...(term.stage === 'price' ? { step: rule.step ?? term.defaultStep } : {}),
    action,
    term,
  }));
  pricingRules.sort((a, b) => stageRank(a.term, a.step, steps) - stageRank(b.term, b.step, steps) || b.priority - a.priority || a.id.localeCompare(b.id));
  const factsRead = new Set<string>();
  for (const rule of flattened.rules) visitFacts(rule.conditions, (fact) => factsRead.add(fact));
  const coupons = new Map<string, Coupon>(
    (json.coupons ?? []).map((coupon) => [coupon.code, { code: coupon.code, label: coupon.label, ruleIds: flattened.rules.filter((rule) => namesCoupon(rule.conditions, coupon.code)).map((rule) => rule.id) }]),
  );
  return {
    agreement: json.agreement,
    effectiveFrom: json.effectiveFrom,
    rulesetVersion,
    title: json.title,
    currency: json.currency,
    rounding: { mode: json.rounding.mode, scale: json.rounding.scale },
    timeZone: json.timeZone ?? DEFAULT_TIME_ZONE,
    parties,
    channels,
    catalog,
    attributes,
    coupons,
    pricingSteps: steps,
    orderFacts: flattened.orderFacts,
    readsOrderListAmount: factsRead.has('order.listAmount'),
    readsLineListAmount: factsRead.has('line.listAmount'),
    ...(json.statement === undefined ? {} : { statement: toStatementDeclaration(json.statement) }),
    priceFactors: presentation.priceFactors ?? 'percent',
    rules: pricingRules,
  };
}

/** The statement's references resolve: channels, party roles, the `per` attribute, the figures the net adds up. */
function checkStatement(json: AgreementJson, attributes: AgreementVersion['attributes']): string[] {
  const statement = json.statement;
  if (statement === undefined) return [];
  const reasons: string[] = [];
  const channels = new Set(json.channels.map((channel) => channel.id));
  const roles = new Set(Object.keys(json.parties));
  const ids = new Set<string>();
  const checkParty = (at: string, role: string | undefined): void => {
    if (role !== undefined && !roles.has(role)) reasons.push(`statement ${at}: ${role} is not a party role (parties: ${[...roles].join(', ')})`);
  };
  for (const figure of statement.figures) {
    if (ids.has(figure.id)) reasons.push(`statement figure ${figure.id} is declared twice`);
    ids.add(figure.id);
    checkParty(`figure ${figure.id} payer`, figure.payer);
    checkParty(`figure ${figure.id} payee`, figure.payee);
    if ('amounts' in figure.from) for (const channel of figure.from.amounts.channels) if (!channels.has(channel)) reasons.push(`statement figure ${figure.id}: channel ${channel} is not a channel of the agreement`);
  }
  if (statement.per !== undefined && statement.per !== 'buyer.id' && !attributes.order.has(statement.per.slice('order.'.length))) reasons.push(`statement per ${statement.per} is not a declared order attribute`);
  if (statement.net !== undefined) {
    checkParty('net payer', statement.net.payer);
    checkParty('net payee', statement.net.payee);
    for (const id of [...statement.net.plus, ...(statement.net.minus ?? [])]) if (!ids.has(id)) reasons.push(`statement net ${statement.net.id} names ${id}, which is not a declared figure`);
  }
  return reasons;
}

/** agreement.json's schema-valid `statement` as the domain reads it. */
function toStatementDeclaration(json: StatementJson): StatementDeclaration {
  const per = json.per === undefined ? undefined : { fact: json.per, section: json.perSection ?? 'rows', key: json.perKey ?? json.per.slice(json.per.lastIndexOf('.') + 1) };
  return { ...(per === undefined ? {} : { per }), figures: json.figures, ...(json.net === undefined ? {} : { net: { ...json.net, minus: json.net.minus ?? [] } }) };
}

/** The time zone of an agreement.json that names none. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

function visitFacts(condition: ConditionJson, visit: (fact: string) => void): void {
  if (isLeaf(condition)) visit(condition.fact);
  else if ('all' in condition) condition.all.forEach((child) => visitFacts(child, visit));
  else if ('any' in condition) condition.any.forEach((child) => visitFacts(child, visit));
  else visitFacts(condition.not, visit);
}

/** True when a leaf of the conditions compares order.coupon with `code` (equal, or in a list holding it). */
function namesCoupon(condition: ConditionJson, code: string): boolean {
  if (isLeaf(condition)) return condition.fact === 'order.coupon' && (condition.value === code || (Array.isArray(condition.value) && condition.value.includes(code)));
  if ('all' in condition) return condition.all.some((child) => namesCoupon(child, code));
  if ('any' in condition) return condition.any.some((child) => namesCoupon(child, code));
  return namesCoupon(condition.not, code);
}

function readJson(dir: string, file: string, problems: RuleProblem[]): unknown {
  let text: string;
  try {
    text = readFileSync(path.join(dir, file), 'utf8');
  } catch (error) {
    problems.push({ file, reason: `cannot be read: ${(error as Error).message}` });
    return undefined;
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    problems.push({ file, reason: `is not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
}

/** Drops ajv's summary errors (if/then, oneOf, discriminator) when a more specific error explains them. */
function meaningfulErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((error) => !['if', 'oneOf', 'discriminator'].includes(error.keyword));
  return specific.length > 0 ? specific : [...errors];
}

/** An ajv error as a sentence a rule author can act on. */
export function describeAjvError(error: ErrorObject): string {
  const at = error.instancePath === '' ? 'the document' : error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${at}: unknown field "${String(error.params['additionalProperty'])}"`;
    case 'enum': {
      const builtIn = /^(less|greater)Than(Inclusive)?$/.exec(String(error.data));
      if (at.endsWith('/operator') && builtIn !== null) {
        const decimal = `decimal${builtIn[0][0]!.toUpperCase()}${builtIn[0].slice(1)}`;
        return `${at}: ${builtIn[0]} compares decimal strings as text ("999.99" >= "1000.00" is true); use ${decimal}`;
      }
      return `${at}: must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    case 'const':
      return `${at}: must be ${JSON.stringify(error.params['allowedValue'])}`;
    case 'pattern':
      if (error.schemaPath.includes('/fraction/')) return `${at}: must be a rate or factor from 0 to 1 written as a decimal string, e.g. "0.05" (got ${JSON.stringify(error.data)})`;
      if (error.schemaPath.includes('ecimal/')) return `${at}: must be a decimal string such as "1000.00" (got ${JSON.stringify(error.data)})`;
      return `${at}: ${error.message ?? 'does not match the expected format'} (got ${JSON.stringify(error.data)})`;
    default:
      return `${at}: ${error.message ?? error.keyword}`;
  }
}

function listDirs(dir: string): string[] {
  return safeReaddir(dir).filter((name) => statSync(path.join(dir, name)).isDirectory()).sort();
}

function listFiles(dir: string): string[] {
  return safeReaddir(dir).filter((name) => statSync(path.join(dir, name)).isFile()).sort();
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const v of values) (seen.has(v) ? repeated : seen).add(v);
  return [...repeated];
}
