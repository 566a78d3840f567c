#!/usr/bin/env node
// Verifies a suanpan quote offline, with nothing but the quote, the service's JWKS and jose
// (npm install jose). Any JOSE library that verifies a compact EdDSA JWS works the same way:
//
//   1. take the quote document exactly as received and remove its "signature" member;
//   2. serialise the rest as RFC 8785 canonical JSON (below, 25 lines) and base64url it;
//   3. the signature is "<header>..<sig>" (detached payload): put the payload between the dots;
//   4. verify that compact JWS (alg EdDSA) with the JWKS key whose kid the header names;
//   5. refuse it after its expiresAt.
//
// usage: node examples/verify-quote.mjs <quote.json> --jwks <jwks.json | https://…/.well-known/jwks.json> [--now <ISO date-time>]
// exit 0: genuine and not expired; 1: not; 2: bad usage.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { base64url, compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';

/** RFC 8785 JSON Canonicalization Scheme. */
function canonicalJson(value) {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('not a JSON number');
    return JSON.stringify(value); // ECMAScript shortest round-trip form, as RFC 8785 specifies
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // UTF-16 code unit order
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  throw new TypeError(`a ${typeof value} is not JSON`);
}

/** @returns {Promise<{ status: 'valid' | 'invalid' | 'missing' | 'unknown-key' | 'expired', kid?: string, reason?: string }>} */
export async function verifyQuote(quote, jwks, now = new Date()) {
  const { signature, ...unsigned } = quote;
  if (typeof signature !== 'string' || signature === '') return { status: 'missing' };
  const parts = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/.exec(signature);
  if (parts === null) return { status: 'invalid', reason: 'not a detached compact JWS' };
  let header;
  try {
    header = decodeProtectedHeader(signature);
  } catch {
    return { status: 'invalid', reason: 'unreadable JWS header' };
  }
  if (!jwks.keys.some((key) => key.kid === header.kid)) return { status: 'unknown-key', kid: header.kid };
  const payload = base64url.encode(canonicalJson(unsigned));
  try {
    await compactVerify(`${parts[1]}.${payload}.${parts[2]}`, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
  } catch (error) {
    return { status: 'invalid', kid: header.kid, reason: error.code ?? error.message };
  }
  if (!(now.getTime() < Date.parse(quote.expiresAt))) return { status: 'expired', kid: header.kid };
  return { status: 'valid', kid: header.kid };
}

async function readJwks(source) {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`GET ${source}: ${response.status}`);
    return response.json();
  }
  return JSON.parse(readFileSync(source, 'utf8'));
}

async function main(argv) {
  const [file, ...rest] = argv;
  const option = (name) => {
    const i = rest.indexOf(name);
    return i === -1 ? undefined : rest[i + 1];
  };
  const jwksSource = option('--jwks');
  const nowText = option('--now');
  if (file === undefined || jwksSource === undefined || (nowText !== undefined && Number.isNaN(Date.parse(nowText)))) {
    process.stderr.write('usage: node examples/verify-quote.mjs <quote.json> --jwks <jwks.json | URL> [--now <ISO date-time>]\n');
    return 2;
  }
  const quote = JSON.parse(readFileSync(file, 'utf8'));
  const result = await verifyQuote(quote, await readJwks(jwksSource), nowText === undefined ? new Date() : new Date(nowText));
  process.stdout.write(`${JSON.stringify({ quoteId: quote.quoteId, ...result })}\n`);
  if (result.status === 'valid') process.stdout.write(`genuine: quote ${quote.quoteId}, net ${quote.totals?.net} ${quote.currency}, rule version ${quote.rulesetVersion}, valid until ${quote.expiresAt}\n`);
  return result.status === 'valid' ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    },
  );
}
