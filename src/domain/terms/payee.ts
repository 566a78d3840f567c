import type { PayeeJson, TermCheckContext } from './term';

export type { PayeeJson };

/** A payee must be a party role of the agreement or a declared order attribute. */
export function checkPayee(payee: PayeeJson, context: TermCheckContext): string[] {
  if (typeof payee === 'string') return context.partyRoles.has(payee) ? [] : [`payee ${payee} is not a party of the agreement (parties: ${[...context.partyRoles].join(', ')})`];
  const name = payee.attribute.replace(/^order\./, '');
  return context.orderAttributes.has(name) ? [] : [`payee attribute ${payee.attribute} is not a declared order attribute`];
}
