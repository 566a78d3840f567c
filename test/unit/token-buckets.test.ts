import { TokenBuckets } from '../../src/http/rate-limit';

describe('TokenBuckets', () => {
  it('allows the burst, then one request per 1/rate seconds, and says when to retry', () => {
    let now = 1_000;
    const buckets = new TokenBuckets(0.5, 2, () => now);
    expect(buckets.take('k')).toEqual({ ok: true });
    expect(buckets.take('k')).toEqual({ ok: true });
    expect(buckets.take('k')).toEqual({ ok: false, retryAfterSeconds: 2 });
    now += 1_000;
    expect(buckets.take('k')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(buckets.take('k')).toEqual({ ok: true });
  });

  it('never holds more than the burst however long a key was idle', () => {
    let now = 0;
    const buckets = new TokenBuckets(10, 3, () => now);
    buckets.take('k');
    now += 3_600_000;
    const results = Array.from({ length: 5 }, () => buckets.take('k').ok);
    expect(results).toEqual([true, true, true, false, false]);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets(1, 1, () => 0);
    expect(buckets.take('a').ok).toBe(true);
    expect(buckets.take('a').ok).toBe(false);
    expect(buckets.take('b').ok).toBe(true);
  });

  it.each([
    [0, 1],
    [1, 0],
    [Number.NaN, 1],
  ])('refuses rate %p with burst %p', (rate, burst) => {
    expect(() => new TokenBuckets(rate, burst)).toThrow(RangeError);
  });
});
