/**
 * Long validations (a reload's lint and golden cases) run on the event loop that serves
 * requests. A time slicer lets them hand the loop back every few milliseconds, so a reload
 * never holds requests up for longer than one slice.
 */
export interface TimeSlicer {
  /** Resolves at once while the slice lasts; past it, after letting timers and I/O run. */
  maybeYield(): Promise<void>;
}

/** Waits for the event loop's next turn (after pending I/O and timers). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A slicer that yields once `sliceMs` milliseconds have passed since it last did. */
export function timeSlicer(sliceMs = 10): TimeSlicer {
  let sliceStart = performance.now();
  return {
    async maybeYield(): Promise<void> {
      if (performance.now() - sliceStart < sliceMs) return;
      await yieldToEventLoop();
      sliceStart = performance.now();
    },
  };
}
