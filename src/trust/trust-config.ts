import path from 'node:path';
import type { QuoteSigning } from './quote-signature';
import { loadKeyRing } from './signing-keys';

/** What the trust features need from the environment. */
export interface TrustConfig {
  readonly signing: Omit<QuoteSigning, 'now'>;
  readonly adminToken?: string;
}

/**
 * Reads the trust settings from the environment:
 * - SUANPAN_SIGNING_KEY_FILE: PEM (PKCS#8) Ed25519 private key that signs quotes. Without it a
 *   development key is generated once into $SUANPAN_DATA_DIR (default ./.data) and a warning
 *   is logged: quotes signed with it mean nothing outside development.
 * - SUANPAN_VERIFY_KEYS_DIR: directory of `*.pem` keys (public or private) of retired signing
 *   keys, still accepted and published so quotes issued before a rotation keep verifying.
 * - SUANPAN_QUOTE_VALIDITY_DAYS: whole days a quote is valid, 1 to 3650, default 30.
 * - SUANPAN_ADMIN_TOKEN: bearer token of POST /admin/rules:reload (at least 16 characters);
 *   without it the admin endpoint is disabled.
 * Throws an Error naming the variable when a value is unusable.
 */
export function readTrustConfig(env: Readonly<Record<string, string | undefined>>, logger: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void }): TrustConfig {
  const validity = env['SUANPAN_QUOTE_VALIDITY_DAYS'] ?? '30';
  if (!/^\d{1,4}$/.test(validity) || Number(validity) < 1 || Number(validity) > 3650) throw new Error(`SUANPAN_QUOTE_VALIDITY_DAYS must be a whole number of days from 1 to 3650, not ${JSON.stringify(validity)}`);
  const adminToken = env['SUANPAN_ADMIN_TOKEN'];
  if (adminToken !== undefined && adminToken !== '' && adminToken.length < 16) throw new Error('SUANPAN_ADMIN_TOKEN must be at least 16 characters');
  const signingKeyFile = nonEmpty(env['SUANPAN_SIGNING_KEY_FILE']);
  const verifyKeysDir = nonEmpty(env['SUANPAN_VERIFY_KEYS_DIR']);
  const { keys, devKeyFile } = loadKeyRing({
    ...(signingKeyFile === undefined ? {} : { signingKeyFile }),
    ...(verifyKeysDir === undefined ? {} : { verifyKeysDir }),
    dataDir: path.resolve(env['SUANPAN_DATA_DIR'] ?? '.data'),
  });
  if (devKeyFile !== undefined) {
    logger.warn({ devKeyFile, kid: keys.signing.kid }, 'SUANPAN_SIGNING_KEY_FILE is not set: quotes are signed with a development key; set it in production');
  }
  logger.info({ signingKid: keys.signing.kid, verificationKids: [...keys.verification.keys()], validityDays: Number(validity), adminEndpoint: adminToken !== undefined && adminToken !== '' }, 'quote signing ready');
  return { signing: { keys, validityDays: Number(validity) }, ...(adminToken === undefined || adminToken === '' ? {} : { adminToken }) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
