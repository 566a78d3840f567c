/** References to the shared definitions of rules/schema/rule.schema.json, for the term modules' params schemas. */
export const FRACTION = { $ref: 'rule.schema.json#/$defs/fraction' } as const;
export const NON_NEGATIVE_DECIMAL = { $ref: 'rule.schema.json#/$defs/nonNegativeDecimal' } as const;
export const TIERS = { $ref: 'rule.schema.json#/$defs/tiers' } as const;
export const PAYEE = { $ref: 'rule.schema.json#/$defs/payee' } as const;

/** `{ type: object, additionalProperties: false, required, properties }`: the shape of every params schema. */
export function paramsObject(properties: Readonly<Record<string, object>>, required: readonly string[]): object {
  return { type: 'object', additionalProperties: false, required: [...required], properties };
}
