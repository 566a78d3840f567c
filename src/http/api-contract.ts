import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldIssue } from '../domain/errors';

/** openapi.yaml, beside src/ and dist/. */
export const CONTRACT_FILE = path.resolve(__dirname, '../../openapi.yaml');
/**
 * openapi.yaml already parsed, written by `npm run build` into dist/ (in src/ there is none):
 * parsing the YAML took ≈ 190 ms of every start, reading this JSON takes ≈ 1 ms. It names the
 * SHA-256 of the YAML it was made from and is used only when that matches the YAML read.
 */
export const CONTRACT_CACHE_FILE = path.resolve(__dirname, '../openapi.contract.json');

const SCHEMA_BASE = 'https://suanpan.local/api/';

/** openapi.yaml as served, and validators for its component schemas (JSON Schema 2020-12). */
export interface ApiContract {
  readonly yamlText: string;
  readonly document: Record<string, unknown>;
  /** Validates a value against `#/components/schemas/<name>`; an empty list means valid. */
  validate(schemaName: string, value: unknown): FieldIssue[];
}

/** Loads openapi.yaml once; requests are validated against it, responses in tests. */
export function loadApiContract(file = CONTRACT_FILE, options: { readonly validateSchemas?: boolean; readonly cacheFile?: string } = {}): ApiContract {
  const yamlText = readFileSync(file, 'utf8');
  const document = cachedDocument(options.cacheFile ?? CONTRACT_CACHE_FILE, yamlText) ?? parseYaml(yamlText);
  const schemas = ((document['components'] as Record<string, unknown>)['schemas'] ?? {}) as Record<string, unknown>;
  // The meta-schema check of our own contract costs ~60 ms at every start: the service skips it,
  // the tests (test/support/test-app.ts) turn it on, so a broken schema still fails CI.
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, validateSchema: options.validateSchemas === true });
  addFormats(ajv);
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(rewriteRefs(schema) as object, `${SCHEMA_BASE}${name}`);
  const compiled = new Map<string, ValidateFunction>();
  return {
    yamlText,
    document,
    validate(schemaName, value) {
      let validateFn = compiled.get(schemaName);
      if (validateFn === undefined) {
        validateFn = ajv.getSchema(`${SCHEMA_BASE}${schemaName}`);
        if (validateFn === undefined) throw new Error(`openapi.yaml has no schema ${schemaName}`);
        compiled.set(schemaName, validateFn);
      }
      return validateFn(value) ? [] : toFieldIssues(validateFn.errors ?? []);
    },
  };
}

function parseYaml(text: string): Record<string, unknown> {
  // required here, not imported: a start with the parsed contract in dist/ never loads the YAML parser
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof import('yaml');
  return parse(text) as Record<string, unknown>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The parsed contract from `cacheFile` when it was made from exactly `yamlText`; else undefined. */
function cachedDocument(cacheFile: string, yamlText: string): Record<string, unknown> | undefined {
  let cached: { sha256?: unknown; document?: unknown };
  try {
    cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { sha256?: unknown; document?: unknown };
  } catch {
    return undefined; // none (running from src/) or unreadable: parse the YAML
  }
  if (cached.sha256 !== sha256(yamlText) || cached.document === null || typeof cached.document !== 'object') return undefined;
  return cached.document as Record<string, unknown>;
}

/** Writes the parsed contract for {@link loadApiContract} (`npm run build` runs it). */
export function writeContractCache(file = CONTRACT_FILE, cacheFile = CONTRACT_CACHE_FILE): void {
  const yamlText = readFileSync(file, 'utf8');
  writeFileSync(cacheFile, JSON.stringify({ sha256: sha256(yamlText), document: parseYaml(yamlText) }));
}

if (require.main === module) writeContractCache();

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', SCHEMA_BASE) : rewriteRefs(value);
  }
  return out;
}

/** ajv errors as field issues with JSON pointers; the summary errors of oneOf are dropped when a branch explains. */
export function toFieldIssues(errors: readonly ErrorObject[]): FieldIssue[] {
  const issues = new Map<string, FieldIssue>();
  for (const error of errors) {
    const pointer = error.keyword === 'required' ? `${error.instancePath}/${String(error.params['missingProperty'])}` : error.keyword === 'additionalProperties' ? `${error.instancePath}/${String(error.params['additionalProperty'])}` : error.instancePath;
    const detail = describe(error);
    const key = `${pointer}\u0000${detail}`;
    if (!issues.has(key)) issues.set(key, { pointer: pointer === '' ? '/' : pointer, detail, code: error.keyword });
  }
  return [...issues.values()];
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return `is required`;
    case 'additionalProperties':
      return `is not a known field`;
    case 'enum':
      return `must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `must be a valid ${String(error.params['format'])}${error.params['format'] === 'date' ? ' (yyyy-mm-dd)' : ''}`;
    default:
      return error.message ?? error.keyword;
  }
}
