/**
 * Finding and hiding secrets in text. The logger masks every output line with this, and any module
 * that turns foreign text (error bodies, URLs) into messages can use it too.
 */

export const MASK = '[REDACTED]';

/** Shorter strings are ignored: masking "abc" everywhere would wreck unrelated text and hide nothing. */
export const MIN_SECRET_LENGTH = 6;

const API_KEY_PREFIX = /^ApiKey\s+/i;
/** A Connect token: `SU-xxxx-xxxx-xxxx:<secret>`; the part before the colon only names the key. */
const CONNECT_TOKEN = /^(SU-[\w-]+):(.+)$/;

/**
 * Every form in which a secret may show up in output: as configured, without an `ApiKey ` prefix,
 * a Connect token's secret part on its own, and each of those URL-encoded and JSON-escaped.
 */
export function secretVariants(secret: string): string[] {
  const bare = secret.trim().replace(API_KEY_PREFIX, '');
  const secretPart = CONNECT_TOKEN.exec(bare)?.[2];
  const forms = [secret, bare, ...(secretPart ? [secretPart] : [])];
  const encoded = forms.flatMap((form) => [form, encodeURIComponent(form)]);
  const escaped = encoded.map((form) => JSON.stringify(form).slice(1, -1));
  return unique([...encoded, ...escaped]).filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/** A function that replaces every occurrence of any of `secrets` (in all their forms) with MASK. */
export function createSecretMasker(secrets: readonly string[]): (text: string) => string {
  // Longest first, so a whole token is masked as one rather than leaving its key id around a mask.
  const variants = unique(secrets.flatMap(secretVariants)).sort((a, b) => b.length - a.length);
  if (variants.length === 0) return (text) => text;
  const pattern = new RegExp(variants.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, MASK);
}

/**
 * Fields whose value is a secret whatever it is, at any depth of a JSON line: `"apiKey": "..."`,
 * `"authorization": "..."` (any letter case). Only scalar values are masked; a secret is never an
 * object. Working on the finished line rather than on the objects costs one scan per line, where
 * pino's path redaction re-parses its paths for every logged object and every child logger.
 */
const SECRET_FIELD = /"(api_?key|authorization)"(\s*):(\s*)(?:"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false)/gi;

/** Masks the values of secret-named fields (SECRET_FIELD) in a JSON line. */
export function maskSecretFields(line: string): string {
  return line.replace(SECRET_FIELD, `"$1"$2:$3"${MASK}"`);
}

/** Replaces every occurrence of each secret in `text` with MASK. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return createSecretMasker(secrets)(text);
}

/**
 * How an API key may be shown to people: the key id of a Connect token (`SU-1234-5678:****`),
 * or just `****` for anything else. Never the secret part.
 */
export function maskApiKey(apiKey: string): string {
  const keyId = CONNECT_TOKEN.exec(apiKey.trim().replace(API_KEY_PREFIX, ''))?.[1];
  return keyId ? `${keyId}:****` : '****';
}

/** Whether `apiKey` has the shape of a Connect token, with or without the `ApiKey ` prefix. */
export function looksLikeConnectToken(apiKey: string): boolean {
  return CONNECT_TOKEN.test(apiKey.trim().replace(API_KEY_PREFIX, ''));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
