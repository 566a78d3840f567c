/**
 * Hands items from a producer that pushes (a file reader) to a consumer that pulls (the store's
 * ingest), in batches, with backpressure: {@link push} answers a promise when the batches not
 * yet taken are full, so a fast reader never holds more than `maxPending` batches.
 */
export class BatchChannel<T> implements AsyncIterable<readonly T[]> {
  private batch: T[] = [];
  private readonly ready: (readonly T[])[] = [];
  private ended = false;
  private released = false;
  private failure: { readonly error: unknown } | undefined;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(
    private readonly batchSize = 1000,
    private readonly maxPending = 4,
  ) {}

  /** Adds an item; a promise (await it before the next push) when the consumer is behind. */
  push(item: T): Promise<void> | undefined {
    if (this.released) return undefined;
    this.batch.push(item);
    if (this.batch.length < this.batchSize) return undefined;
    this.ready.push(this.batch);
    this.batch = [];
    this.wake();
    if (this.ready.length < this.maxPending || this.failure !== undefined || this.released) return undefined;
    return new Promise((resolve) => (this.wakeProducer = resolve));
  }

  /** No more items: the consumer gets the last batch, then the end. */
  end(): void {
    if (this.batch.length > 0) this.ready.push(this.batch);
    this.batch = [];
    this.ended = true;
    this.wake();
  }

  /** The producer failed: the consumer's iteration throws `error` once it has taken what is ready. */
  fail(error: unknown): void {
    this.failure = { error };
    this.ended = true;
    this.wake();
  }

  /** The consumer has stopped taking batches: a producer waiting in {@link push} goes on (its items are dropped). */
  release(): void {
    this.released = true;
    this.ready.length = 0;
    const producer = this.wakeProducer;
    this.wakeProducer = undefined;
    producer?.();
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<readonly T[]> {
    for (;;) {
      const next = this.ready.shift();
      if (next !== undefined) {
        const producer = this.wakeProducer;
        this.wakeProducer = undefined;
        producer?.();
        yield next;
        continue;
      }
      if (this.failure !== undefined) throw this.failure.error;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }
}
