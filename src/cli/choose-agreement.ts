import type { RuleCatalog } from '../rules/rule-catalog';
import { CliFault, EXIT } from './cli-fault';

/** What a command knows of the agreement it should work on. */
export interface AgreementHints {
  /** `--agreement <id>`, when given. */
  readonly named?: string | undefined;
  /** The agreements the input itself names (e.g. each order's `agreement`), in any order, repeats allowed. */
  readonly fromInput?: readonly string[];
}

/**
 * The agreement a command works on: the one named with --agreement, else the one the input
 * names, else the only agreement in the rules. When none of these settles it, a {@link CliFault}
 * (exit 2) says to name it and lists the agreements found; an agreement that is not in the
 * rules is refused the same way.
 */
export function chooseAgreement(catalog: RuleCatalog, hints: AgreementHints): string {
  const loaded = catalog.agreementIds().sort();
  const held = `the rules in ${catalog.dir} hold ${loaded.length === 0 ? 'no agreement' : loaded.join(', ')}`;
  if (hints.named !== undefined) {
    if (loaded.includes(hints.named)) return hints.named;
    throw new CliFault(`--agreement ${hints.named}: no such agreement; ${held}`, EXIT.usage);
  }
  const named = [...new Set(hints.fromInput ?? [])].sort();
  if (named.length === 1) {
    if (loaded.includes(named[0]!)) return named[0]!;
    throw new CliFault(`the input names agreement ${named[0]}, which is not loaded; ${held}`, EXIT.usage);
  }
  if (named.length > 1) throw new CliFault(`the input names several agreements (${named.join(', ')}): name one with --agreement <id>`, EXIT.usage);
  if (loaded.length === 1) return loaded[0]!;
  throw new CliFault(`name the agreement with --agreement <id>: ${held}`, EXIT.usage);
}
