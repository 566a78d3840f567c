import { contract, contractIssues } from '../support/test-app';

const schemas = Object.keys((contract.document['components'] as { schemas: Record<string, unknown> }).schemas);

describe('openapi.yaml', () => {
  it.each(schemas)('schema %s compiles', (name) => {
    expect(() => contract.validate(name, {})).not.toThrow();
  });

  it('its request examples are valid requests', () => {
    const paths = contract.document['paths'] as Record<string, Record<string, any>>;
    let checked = 0;
    for (const operations of Object.values(paths)) {
      for (const operation of Object.values(operations)) {
        const media = operation?.requestBody?.content?.['application/json'];
        const ref: string | undefined = media?.schema?.$ref;
        for (const example of Object.values<{ value: unknown }>(media?.examples ?? {})) {
          expect(contractIssues(ref!.split('/').pop()!, example.value)).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('refuses what the limits exclude', () => {
    const line = { sku: 'BYK-L01', quantity: 1 };
    const quote = { agreement: 'chamber-baiyikang', channel: 'group-buy', buyer: { id: 'E' }, lines: [line] };
    expect(contractIssues('QuoteRequest', quote)).toEqual([]);
    expect(contractIssues('QuoteRequest', { ...quote, lines: Array.from({ length: 501 }, () => line) })).not.toEqual([]);
    expect(contractIssues('QuoteRequest', { ...quote, lines: [{ ...line, quantity: 1000001 }] })).not.toEqual([]);
    expect(contractIssues('QuoteRequest', { ...quote, buyer: { id: 'x'.repeat(65) } })).not.toEqual([]);
    expect(contractIssues('QuoteRequest', { ...quote, buyer: { id: 'bad\u0000id' } })).not.toEqual([]);
  });
});
