import { duplicateMemberIn } from '../trust/duplicate-members';
import { HttpProblem } from './problem';

/**
 * Refuses a JSON body that names a member twice in one object (`"quantity":30,"quantity":1`):
 * JSON.parse keeps the last value silently, so the caller would be answered for a request it
 * may not have meant. A 400 VALIDATION_FAILED naming the member's JSON pointer. `json` is the
 * body's text and `body` what JSON.parse made of it.
 */
export function refuseRepeatedMembers(json: string, body: unknown): void {
  const pointer = duplicateMemberIn(json, body);
  if (pointer === undefined) return;
  throw new HttpProblem('VALIDATION_FAILED', `The body names ${pointer} twice; name each member of an object once (I-JSON, RFC 7493)`, [
    { pointer, detail: 'this member name appears twice in its object', code: 'duplicateMember' },
  ]);
}
