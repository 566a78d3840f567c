import fc from 'fast-check';
import type { ApiContract } from '../../src/http/api-contract';

/** One operation of openapi.yaml, as the fuzz suite needs it. */
export interface Operation {
  readonly id: string;
  readonly method: string;
  /** The path template, e.g. /v1/agreements/{agreement}. */
  readonly template: string;
  readonly pathParams: readonly { name: string; schema: Schema }[];
  readonly queryParams: readonly { name: string; schema: Schema }[];
  /** The component schema name of the JSON request body, when there is one. */
  readonly bodySchema?: string;
  /** The request examples given in the contract. */
  readonly bodyExamples: readonly unknown[];
  /** Every media type the request body may have (application/json, text/csv, ...). */
  readonly bodyMediaTypes: readonly string[];
  readonly responses: Readonly<Record<string, unknown>>;
}

type Schema = Record<string, any>;

/** Every operation in openapi.yaml: new endpoints are fuzzed as soon as they are in the contract. */
export function listOperations(document: Record<string, any>): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<Record<string, any>>(document['paths'] ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method];
      if (op === undefined) continue;
      const params: Schema[] = [...(item['parameters'] ?? []), ...(op.parameters ?? [])];
      const json = op.requestBody?.content?.['application/json'];
      operations.push({
        id: op.operationId ?? `${method} ${template}`,
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p['in'] === 'path').map((p) => ({ name: p['name'], schema: p['schema'] ?? {} })),
        queryParams: params.filter((p) => p['in'] === 'query').map((p) => ({ name: p['name'], schema: p['schema'] ?? {} })),
        ...(json?.schema?.$ref === undefined ? {} : { bodySchema: refName(json.schema.$ref) }),
        bodyExamples: Object.values<{ value: unknown }>(json?.examples ?? {}).map((e) => e.value),
        bodyMediaTypes: Object.keys(op.requestBody?.content ?? {}),
        responses: op.responses ?? {},
      });
    }
  }
  return operations;
}

/**
 * The component schema an operation declares for a status and media type (following
 * #/components/responses refs), or undefined when it declares an inline or no schema.
 */
export function responseSchemaName(document: Record<string, any>, operation: Operation, status: number, mediaType: string): string | undefined {
  let response = operation.responses[String(status)] as Schema | undefined;
  if (response?.['$ref'] !== undefined) response = document['components']['responses'][refName(response['$ref'])];
  const ref = response?.['content']?.[mediaType]?.schema?.$ref;
  return ref === undefined ? undefined : refName(ref);
}

function refName(ref: string): string {
  return ref.split('/').pop()!;
}

/**
 * A fast-check arbitrary of values valid (mostly) under a component schema: enough of JSON Schema
 * for openapi.yaml (refs, objects, arrays, strings with pattern/enum/format, integers, booleans).
 * Arrays are kept short; the limits are fuzzed separately.
 */
export function arbitraryFor(contract: ApiContract, schema: Schema): fc.Arbitrary<unknown> {
  const components = (contract.document['components'] as Record<string, any>)['schemas'] as Record<string, Schema>;
  const build = (node: Schema, depth: number): fc.Arbitrary<unknown> => {
    if (node['$ref'] !== undefined) return build(components[refName(node['$ref'])]!, depth + 1);
    if (node['const'] !== undefined) return fc.constant(node['const']);
    if (Array.isArray(node['enum'])) return fc.constantFrom(...(node['enum'] as unknown[]));
    if (Array.isArray(node['oneOf'])) return fc.oneof(...(node['oneOf'] as Schema[]).map((n) => build(n, depth + 1)));
    switch (node['type']) {
      case 'object': {
        const properties = (node['properties'] ?? {}) as Record<string, Schema>;
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, child] of Object.entries(properties)) record[name] = build(child, depth + 1);
        return fc.record(record, { requiredKeys: (node['required'] ?? []) as string[] });
      }
      case 'array':
        return fc.array(build(node['items'] ?? {}, depth + 1), { minLength: node['minItems'] ?? 0, maxLength: Math.min(node['maxItems'] ?? 3, Math.max(3, node['minItems'] ?? 0)) });
      case 'integer':
        return fc.integer({ min: node['minimum'] ?? -1e9, max: node['maximum'] ?? 1e9 });
      case 'number':
        return fc.double({ noNaN: true, noDefaultInfinity: true });
      case 'boolean':
        return fc.boolean();
      case 'string':
        if (node['format'] === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
        if (typeof node['pattern'] === 'string') return fc.stringMatching(new RegExp(node['pattern'])).filter((s) => s.length >= (node['minLength'] ?? 0) && s.length <= (node['maxLength'] ?? 64));
        return fc.string({ minLength: node['minLength'] ?? 0, maxLength: Math.min(node['maxLength'] ?? 20, 20) });
      default:
        return depth > 4 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
    }
  };
  return build(schema, 0);
}
