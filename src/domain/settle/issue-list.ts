import { DomainError } from '../errors';
import { KeyedItems, mergeInInputOrder, type MatchingKey } from '../settlement-spill';
import type { SettlementIssue } from '../settlement';

/** At most this many issues are listed; the rest are counted in one closing issue. */
export const MAX_LISTED_ISSUES = 1000;

/**
 * The issues of a settlement in the order an unspilled run records them, and the number of
 * the current input call they are recorded under. While a spilled settlement's matching runs
 * ({@link IssueList.findingAt}), what is found is kept by its {@link MatchingKey} and merged
 * among the recorded ones by {@link IssueList.mergeFound}. At most {@link MAX_LISTED_ISSUES}
 * are listed; the others are counted.
 */
export class IssueList {
  /** The number of the current input call (add, reject, external sale). */
  call = -1;
  private issues: SettlementIssue[] = [];
  private readonly calls: number[] = [];
  private unlisted = 0;
  private found = new KeyedItems<SettlementIssue>(MAX_LISTED_ISSUES);
  private foundAt: MatchingKey | undefined;

  /** Starts the next input call; its number. */
  nextCall(): number {
    return ++this.call;
  }

  /** Where a spilled run's matching is: what is recorded now falls there (undefined while the input is read). */
  get findingAt(): MatchingKey | undefined {
    return this.foundAt;
  }

  record(issue: SettlementIssue): void {
    if (this.foundAt !== undefined) {
      this.found.push(this.foundAt, issue);
    } else if (this.issues.length < MAX_LISTED_ISSUES) {
      this.issues.push(issue);
      this.calls.push(this.call);
    } else {
      this.unlisted++;
    }
  }

  /** Runs `find` with what it records (issues, discrepancies) kept as found at `key`. */
  foundDuring(key: MatchingKey, find: () => void): void {
    this.foundAt = key;
    try {
      find();
    } finally {
      this.foundAt = undefined;
    }
  }

  /** Forgets what was found (the spilled matching starts over). */
  forgetFound(): void {
    this.found = new KeyedItems<SettlementIssue>(MAX_LISTED_ISSUES);
  }

  /** Puts what the spilled matching found among what was recorded at once, as an unspilled run orders them. */
  mergeFound(): void {
    const listed = mergeInInputOrder(this.issues, this.calls, this.found.sorted());
    this.unlisted += this.found.dropped + Math.max(0, listed.length - MAX_LISTED_ISSUES);
    this.issues = listed.slice(0, MAX_LISTED_ISSUES);
  }

  /** Throws DomainError INVALID_SETTLEMENT listing every issue (the rest counted) when there is any. */
  throwIfAny(): void {
    if (this.issues.length === 0) return;
    const listed = this.unlisted === 0 ? this.issues : [...this.issues, { pointer: '/', code: 'TOO_MANY_ISSUES', detail: `${this.unlisted} more issue(s) not listed` }];
    throw new DomainError('INVALID_SETTLEMENT', `${this.issues.length + this.unlisted} problem(s) in the settlement input`, listed);
  }
}
