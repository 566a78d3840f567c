import { todayIn } from '../../src/app';

describe('todayIn', () => {
  it('turns the date at midnight in the time zone, not at midnight UTC, also when asked within the same second', () => {
    const beforeMidnight = Date.parse('2026-11-26T15:59:59.000Z'); // 23:59:59 in Shanghai
    expect(todayIn('Asia/Shanghai', beforeMidnight)).toBe('2026-11-26');
    expect(todayIn('Asia/Shanghai', beforeMidnight + 999)).toBe('2026-11-26');
    expect(todayIn('Asia/Shanghai', beforeMidnight + 1000)).toBe('2026-11-27');
    expect(todayIn('UTC', beforeMidnight + 1000)).toBe('2026-11-26');
    expect(todayIn('Asia/Shanghai', Date.parse('2027-01-01T00:00:00Z'))).toBe('2027-01-01');
  });
});
