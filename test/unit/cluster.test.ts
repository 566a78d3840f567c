import { replacementDelayMs, workerCount } from '../../src/cluster';

describe('SUANPAN_WORKERS', () => {
  it.each([
    [{}, 2, 2],
    [{ SUANPAN_WORKERS: '' }, 4, 4],
    [{ SUANPAN_WORKERS: '1' }, 2, 1],
    [{ SUANPAN_WORKERS: '3' }, 2, 3],
  ])('%j on %i cores → %i workers', (env, cores, expected) => {
    expect(workerCount(env, cores)).toBe(expected);
  });

  it.each(['0', '-1', '1.5', 'two', '1000'])('refuses %j', (text) => {
    expect(() => workerCount({ SUANPAN_WORKERS: text }, 2)).toThrow(/SUANPAN_WORKERS/);
  });
});

describe('replacing workers that keep dying', () => {
  it('replaces the first death at once, then backs off doubling from 0.25 s up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 20].map(replacementDelayMs)).toEqual([0, 250, 500, 1000, 2000, 16_000, 30_000, 30_000]);
  });
});
