import { DomainError } from '../domain/errors';
import { calculateQuoteUnder } from '../rules/calculate-quote';
import type { RuleCatalog } from '../rules/rule-catalog';
import type { Recomputation } from '../trust/verify-quote';
import type { ApiContract } from './api-contract';
import { HttpProblem } from './problem';
import { presentQuote } from './present-quote';
import { toQuoteInput } from './quote-request';

/**
 * Recomputes a quote document under the rule version it pins (agreement + rulesetVersion),
 * from the request it restates (agreement, channel, date, buyer, lines' sku and quantity),
 * with explanations when the document carries them. Never throws: what cannot be recomputed
 * is an answer.
 */
export function quoteRecomputer(contract: ApiContract, catalog: RuleCatalog): (document: Readonly<Record<string, unknown>>) => Promise<Recomputation> {
  return async (document) => {
    const lines = Array.isArray(document['lines']) ? (document['lines'] as unknown[]) : undefined;
    const request = {
      agreement: document['agreement'],
      channel: document['channel'],
      date: document['date'],
      buyer: document['buyer'],
      lines: lines?.map((line) => (isObject(line) ? { sku: line['sku'], quantity: line['quantity'] } : line)),
    };
    const rulesetVersion = document['rulesetVersion'];
    if (typeof request.date !== 'string') return { status: 'not-recomputable', detail: 'the quote has no date' };
    if (typeof rulesetVersion !== 'string') return { status: 'not-recomputable', detail: 'the quote has no rulesetVersion' };
    try {
      const input = toQuoteInput(contract, request, request.date);
      const ruleSet = catalog.versionByHash(input.agreement, rulesetVersion);
      if (ruleSet === undefined) {
        const loaded = catalog.agreementIds().includes(input.agreement) ? catalog.versions(input.agreement).map((v) => `${v.version.effectiveFrom} = ${v.version.rulesetVersion}`).join(', ') : 'none';
        return { status: 'version-not-loaded', detail: `rule version ${rulesetVersion} of ${input.agreement} is not loaded here (loaded: ${loaded}); its figures cannot be recomputed` };
      }
      const explain = lines?.some((line) => isObject(line) && line['explanation'] !== undefined) ?? false;
      return { status: 'recomputed', quote: presentQuote(await calculateQuoteUnder(ruleSet, input, { explain }), ruleSet.version) };
    } catch (error) {
      if (error instanceof HttpProblem || error instanceof DomainError) return { status: 'not-recomputable', detail: error.message };
      throw error;
    }
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
