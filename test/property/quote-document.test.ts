import fc from 'fast-check';
import type { QuoteInput } from '../../src/domain/quote';
import { presentQuote } from '../../src/http/present-quote';
import { calculateQuoteSync } from '../../src/rules/calculate-quote';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { canonicalJson } from '../../src/trust/canonical-json';
import { issueQuote, verifyQuoteSignature } from '../../src/trust/quote-signature';
import { ephemeralKeyRing } from '../../src/trust/signing-keys';
import { withMemberCard } from '../support/member-card';
import { RULES_DIR } from '../support/test-app';

const catalog = RuleCatalog.load(RULES_DIR);
const SKUS = ['BYK-H01', 'BYK-H02', 'BYK-M01', 'BYK-M02', 'BYK-L01', 'BYK-L02'];
const keys = ephemeralKeyRing();
const now = new Date('2026-11-20T08:00:00Z');

const quoteInput = fc.record({
  agreement: fc.constant('chamber-baiyikang'),
  channel: fc.constantFrom('chamber-supply', 'member-direct', 'group-buy', 'other'),
  date: fc.constantFrom('2026-03-01', '2026-12-31', '2027-01-01'),
  buyer: fc.record({ id: fc.constantFrom('ENT-001', 'M-007'), member: fc.boolean(), keyAccount: fc.boolean() }),
  lines: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 400 }) }), { minLength: 1, maxLength: 8 }),
}).map(withMemberCard) as fc.Arbitrary<QuoteInput>;

function documentOf(input: QuoteInput, explain: boolean) {
  const version = catalog.versionOn(input.agreement, input.date).version;
  return { version, document: presentQuote(calculateQuoteSync(catalog, input, { explain }), version) };
}

/** Every rule id a document's figures and explanations name. */
function namedRules(document: ReturnType<typeof documentOf>['document']): string[] {
  const ids = new Set<string>();
  for (const line of document.lines as any[]) {
    for (const adjustment of line.adjustments) ids.add(adjustment.ruleId);
    for (const id of line.explanation?.applied ?? []) ids.add(id);
    for (const entry of line.explanation?.notApplied ?? []) ids.add(entry.ruleId);
  }
  for (const gift of document.gifts as any[]) ids.add(gift.ruleId);
  return [...ids].sort();
}

describe('the quote document (wire form)', () => {
  it('says once what each rule it names is, and names no other', () => {
    fc.assert(
      fc.property(quoteInput, fc.boolean(), (input, explain) => {
        const { version, document } = documentOf(input, explain);
        expect(Object.keys(document.rules)).toEqual(namedRules(document));
        for (const [id, reference] of Object.entries(document.rules)) {
          const rule = version.rules.find((r) => r.id === id)!;
          expect(reference).toEqual({ clause: rule.clause, label: rule.label, type: rule.action.type });
        }
      }),
      { seed: 8785, numRuns: 150 },
    );
  });

  it('holds its members in canonical order: its canonical JSON is JSON.stringify of it', () => {
    fc.assert(
      fc.property(quoteInput, fc.boolean(), (input, explain) => {
        const { document } = documentOf(input, explain);
        expect(JSON.stringify(document)).toBe(canonicalJson(JSON.parse(JSON.stringify(document))));
      }),
      { seed: 7515, numRuns: 150 },
    );
  });

  it('is answered as the signed canonical JSON with the signature appended, and verifies', async () => {
    await fc.assert(
      fc.asyncProperty(quoteInput, fc.boolean(), async (input, explain) => {
        const { json, quote } = issueQuote(documentOf(input, explain).document, { keys, now: () => now });
        const parsed = JSON.parse(json) as Record<string, unknown>;
        const { signature, ...unsigned } = parsed;
        expect(signature).toBe(quote.signature);
        expect(json).toBe(`${canonicalJson(unsigned).slice(0, -1)},"signature":${JSON.stringify(signature)}}`);
        expect(await verifyQuoteSignature(parsed, keys, now)).toEqual({ status: 'valid', kid: keys.signing.kid });
      }),
      { seed: 7797, numRuns: 60 },
    );
  });
});
