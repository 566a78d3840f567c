import v8 from 'node:v8';

/** V8 lets the old generation grow to this much more than what the last full GC kept (its default grows it up to 4×). */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Makes V8 collect the old generation when it has grown 20 % past what the last full GC
 * kept, instead of letting it grow up to four times that (V8's default for a small, fast-to-
 * collect heap). A streamed settlement keeps little (~40 MB for a month of 1M lines) but
 * promotes much short-lived garbage; with V8's default the process reached ~280 MB RSS over
 * 1M lines, with this ~190 MB, at the same speed (docs/settlement.md, "Memory"). It is a
 * growth policy, not a limit: a larger input still gets all the heap it needs.
 * Called by the composition roots (server, CLI) before any work.
 */
export function limitHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
