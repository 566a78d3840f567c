import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Action, AgreementVersion, CatalogItem, Channel, PricingRule, Tier } from '../domain/agreement';
import { PRICING_STEPS, STEP_OF_ACTION } from '../domain/agreement';
import { Dec } from '../domain/money';
import { checkRuleSemantics } from './check-rules';
import { checkRulesLock, LOCK_FILE, readRulesLock, type HashedVersion, type LockMode } from './rules-lock';
import type { AgreementJson, RuleJson, TierJson } from './rule-json';
import { RulesetError, type RuleProblem } from './ruleset-error';

/** One loaded agreement version: the domain view plus the authored JSON it came from. */
export interface LoadedVersion {
  readonly version: AgreementVersion;
  readonly agreementJson: AgreementJson;
  readonly rules: readonly RuleJson[];
  /** Paths relative to the rules directory, sorted. */
  readonly files: readonly string[];
}

/** Every agreement found under a rules directory, versions sorted by effectiveFrom. */
export interface LoadedRules {
  readonly dir: string;
  readonly agreements: ReadonlyMap<string, readonly LoadedVersion[]>;
}

const VERSION_FOLDER = /^\d{4}-\d{2}-\d{2}$/;
const NON_AGREEMENT_FOLDERS = new Set(['schema']);

let validators: { agreement: ValidateFunction; rule: ValidateFunction } | undefined;

function schemaValidators(rulesDir: string): { agreement: ValidateFunction; rule: ValidateFunction } {
  if (validators === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, discriminator: true, verbose: true });
    addFormats(ajv);
    const read = (name: string): object => JSON.parse(readFileSync(path.join(rulesDir, 'schema', name), 'utf8')) as object;
    validators = { agreement: ajv.compile(read('agreement.schema.json')), rule: ajv.compile(read('rule.schema.json')) };
  }
  return validators;
}

/** Options of {@link loadRules}. */
export interface LoadRulesOptions {
  /** How rules.lock.json is checked; default `if-present`. */
  readonly lock?: LockMode;
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
  const { agreement: validateAgreement, rule: validateRule } = schemaValidators(dir);

  for (const agreementId of listDirs(dir)) {
    if (NON_AGREEMENT_FOLDERS.has(agreementId)) continue;
    const versions: LoadedVersion[] = [];
    const folders = listDirs(path.join(dir, agreementId)).filter((folder) => VERSION_FOLDER.test(folder));
    if (folders.length === 0) problems.push({ file: `${agreementId}/`, reason: 'no version folder (yyyy-mm-dd) with an agreement.json' });
    for (const folder of folders) {
      const loaded = loadVersion(dir, `${agreementId}/${folder}`, agreementId, folder, validateAgreement, validateRule, problems);
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
  validateAgreement: ValidateFunction,
  validateRule: ValidateFunction,
  problems: RuleProblem[],
): LoadedVersion | undefined {
  const before = problems.length;
  const agreementFile = `${relDir}/agreement.json`;
  const agreementJson = readJson(dir, agreementFile, problems) as AgreementJson | undefined;
  if (agreementJson === undefined) return undefined;
  if (!validateAgreement(agreementJson)) {
    for (const error of meaningfulErrors(validateAgreement.errors ?? [])) problems.push({ file: agreementFile, reason: describeAjvError(error) });
    return undefined;
  }
  if (agreementJson.agreement !== agreementId) problems.push({ file: agreementFile, reason: `"agreement" is ${agreementJson.agreement} but the folder is ${agreementId}` });
  if (agreementJson.effectiveFrom !== folder) problems.push({ file: agreementFile, reason: `"effectiveFrom" is ${agreementJson.effectiveFrom} but the folder is ${folder}` });
  for (const [what, ids] of [
    ['SKU', agreementJson.catalog.map((item) => item.sku)],
    ['channel', agreementJson.channels.map((channel) => channel.id)],
  ] as const) {
    for (const id of duplicates(ids)) problems.push({ file: agreementFile, reason: `${what} ${id} is listed twice` });
  }

  const ruleFiles = listFiles(path.join(dir, relDir, 'rules')).filter((name) => name.endsWith('.json')).map((name) => `${relDir}/rules/${name}`);
  const rules: RuleJson[] = [];
  for (const file of ruleFiles) {
    const json = readJson(dir, file, problems);
    if (json === undefined) continue;
    const ruleId = typeof (json as { id?: unknown }).id === 'string' ? (json as { id: string }).id : undefined;
    if (!validateRule(json)) {
      for (const error of meaningfulErrors(validateRule.errors ?? [])) problems.push({ file, ruleId, reason: describeAjvError(error) });
      continue;
    }
    const rule = json as RuleJson;
    problems.push(...checkRuleSemantics(file, rule, agreementJson));
    rules.push(rule);
  }
  if (rules.length === 0) problems.push({ file: `${relDir}/rules/`, reason: 'no rule files' });
  if (problems.length > before) return undefined;

  const files = [agreementFile, ...ruleFiles].sort();
  return {
    version: toAgreementVersion(agreementJson, rules, contentHash(dir, files)),
    agreementJson,
    rules,
    files,
  };
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

function toAgreementVersion(json: AgreementJson, rules: readonly RuleJson[], rulesetVersion: string): AgreementVersion {
  const channels = new Map<string, Channel>(json.channels.map((channel) => [channel.id, channel]));
  const catalog = new Map<string, CatalogItem>(
    json.catalog.map((item) => [item.sku, { sku: item.sku, name: item.name, category: item.category, listPrice: new Dec(item.listPrice) }]),
  );
  const pricingRules: PricingRule[] = rules.map((rule) => ({
    id: rule.id,
    clause: rule.clause,
    label: rule.label,
    priority: rule.priority,
    ...(rule.exclusivity === undefined ? {} : { exclusivity: rule.exclusivity }),
    ...(rule.validFrom === undefined ? {} : { validFrom: rule.validFrom }),
    ...(rule.validTo === undefined ? {} : { validTo: rule.validTo }),
    action: toAction(rule.event),
  }));
  pricingRules.sort(
    (a, b) =>
      PRICING_STEPS.indexOf(STEP_OF_ACTION[a.action.type]) - PRICING_STEPS.indexOf(STEP_OF_ACTION[b.action.type]) ||
      b.priority - a.priority ||
      a.id.localeCompare(b.id),
  );
  return {
    agreement: json.agreement,
    effectiveFrom: json.effectiveFrom,
    rulesetVersion,
    title: json.title,
    currency: json.currency,
    rounding: { mode: json.rounding.mode, scale: json.rounding.scale },
    channels,
    catalog,
    rules: pricingRules,
  };
}

function toTiers(tiers: readonly TierJson[]): Tier[] {
  return tiers.map((tier) => ({ from: new Dec(tier.from), ...(tier.to === undefined ? {} : { to: new Dec(tier.to) }), rate: new Dec(tier.rate) }));
}

/** Converts a schema-valid event into a domain action with its decimals parsed once. */
function toAction(event: RuleJson['event']): Action {
  const p = event.params as Record<string, never>;
  switch (event.type) {
    case 'price-factor':
    case 'price-floor':
    case 'price-guarantee':
      return { type: event.type, factor: new Dec(p['factor']) };
    case 'percentage-discount':
    case 'commission':
    case 'rebate-accrual':
      return { type: event.type, rate: new Dec(p['rate']) };
    case 'tiered-discount':
      return { type: 'tiered-discount', basis: p['basis'], mode: p['mode'], tiers: toTiers(p['tiers']) };
    case 'rebate-settlement':
      return { type: 'rebate-settlement', basis: 'period.volume', mode: 'range', tiers: toTiers(p['tiers']) };
    case 'free-goods':
      return { type: 'free-goods', per: p['per'], quantity: p['quantity'], ...(p['sku'] === undefined ? {} : { sku: p['sku'] }) };
    default:
      throw new Error(`unknown action type ${event.type}`);
  }
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
