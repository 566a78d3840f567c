import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import type { FieldIssue } from '../domain/errors';

const SCHEMA_BASE = 'https://suanpan.local/api/';

/** openapi.yaml as served, and validators for its component schemas (JSON Schema 2020-12). */
export interface ApiContract {
  readonly yamlText: string;
  readonly document: Record<string, unknown>;
  /** Validates a value against `#/components/schemas/<name>`; an empty list means valid. */
  validate(schemaName: string, value: unknown): FieldIssue[];
}

/** Loads openapi.yaml once; requests are validated against it, responses in tests. */
export function loadApiContract(file = path.resolve(__dirname, '../../openapi.yaml'), options: { readonly validateSchemas?: boolean } = {}): ApiContract {
  const yamlText = readFileSync(file, 'utf8');
  const document = parse(yamlText) as Record<string, unknown>;
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
