/** What {@link firstMemberProblem} finds first: a member name its object already has, or a value nested too deep. */
export interface MemberProblem {
  readonly kind: 'duplicate' | 'too-deep';
  /** JSON pointer of the repeated member, or of the first array or object past the depth limit. */
  readonly pointer: string;
}

/**
 * The JSON pointer of the first member whose name its object already has, in JSON text that
 * JSON.parse accepts; undefined when every object's names are unique. JSON.parse keeps the last
 * of two members with one name where another reader may keep the first, so a signed document
 * with a duplicate could show one reader a figure the signature never covered: RFC 8785
 * canonicalises I-JSON (RFC 7493) only, which forbids duplicates. Names are compared decoded
 * (`"a"` and `"\u0061"` are the same name).
 */
export function firstDuplicateMember(json: string): string | undefined {
  return firstMemberProblem(json)?.pointer;
}

/**
 * Scans JSON text that JSON.parse accepts, in one pass and without recursion, for the first
 * repeated member name (see {@link firstDuplicateMember}) or array or object nested deeper than
 * `maxDepth` (the top-level value is depth 1): code that walks a parsed value recursively
 * (canonical JSON, a diff) overflows the stack on a value nested a hundred thousand deep.
 */
export function firstMemberProblem(json: string, maxDepth = Number.POSITIVE_INFINITY): MemberProblem | undefined {
  const stack: Frame[] = [];
  let expectingName = false;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === QUOTE) {
      const end = endOfString(json, i);
      const top = stack[stack.length - 1];
      if (expectingName && top?.kind === 'object') {
        const name = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.names.has(name)) return { kind: 'duplicate', pointer: pointerOf([...stack.slice(0, -1).map(tokenOf), name]) };
        top.names.add(name);
        top.name = name;
        expectingName = false;
      }
      i = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (stack.length >= maxDepth) return { kind: 'too-deep', pointer: pointerOf(stack.map(tokenOf)) };
      stack.push(code === OPEN_BRACE ? { kind: 'object', names: new Set(), name: '' } : { kind: 'array', index: 0 });
      expectingName = code === OPEN_BRACE;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      stack.pop();
      expectingName = false;
    } else if (code === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') expectingName = true;
      else if (top?.kind === 'array') top.index++;
    }
  }
  return undefined;
}

type Frame = { readonly kind: 'object'; readonly names: Set<string>; name: string } | { readonly kind: 'array'; index: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** The index of the quote that closes the string opened at `start`. */
function endOfString(json: string, start: number): number {
  for (let i = start + 1; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === QUOTE) return i;
  }
  return json.length;
}

function tokenOf(frame: Frame): string {
  return frame.kind === 'object' ? frame.name : String(frame.index);
}

/** RFC 6901: a pointer of `tokens`, `~` and `/` escaped. */
function pointerOf(tokens: readonly string[]): string {
  return tokens.map((token) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
