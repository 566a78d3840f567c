import { canonicalJson } from '../../src/trust/canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('reproduces the example of RFC 8785 section 3.2.2 byte for byte', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts member names by UTF-16 code units, as in RFC 8785 section 3.2.3', () => {
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each([
    [-0, '0'],
    [1e21, '1e+21'],
    [0.1, '0.1'],
    [-1.5e-7, '-1.5e-7'],
    [9007199254740992, '9007199254740992'],
  ])('writes the number %p as %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('nests, drops undefined members and writes no whitespace', () => {
    expect(canonicalJson({ b: [1, { d: 'x', c: undefined, a: null }], a: { z: true, y: false } })).toBe('{"a":{"y":false,"z":true},"b":[1,{"a":null,"d":"x"}]}');
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], ['\ud800 alone'], [() => 1]])('refuses %p (not I-JSON)', (value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });
});

describe('canonicalJson of values already in canonical order', () => {
  it('still refuses a lone surrogate and a non-finite number', () => {
    expect(() => canonicalJson({ a: 'x\uD800y' })).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(/not a JSON number/);
  });

  it('keeps a backslash followed by "ud" as text', () => {
    expect(canonicalJson({ a: '\\ud800' })).toBe('{"a":"\\\\ud800"}');
  });

  it('leaves out undefined members and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('writes an array hole as null, as JSON.stringify does (never "[,1]")', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holed = [, 1];
    expect(canonicalJson({ b: holed })).toBe(JSON.stringify({ b: holed }));
    expect(canonicalJson({ c: 1, b: holed })).toBe('{"b":[null,1],"c":1}'); // the sorting path too
  });

  it('does not take toJSON from a Date or a class instance', () => {
    expect(canonicalJson({ a: new Date(0) })).toBe('{"a":{}}');
  });
});
