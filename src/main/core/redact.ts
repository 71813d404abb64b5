// Secrets out of text that leaves the process (log lines, stored error messages, answers). A leaf module: the
// logger, the logs view and any service that stores a message built from outside input use it.

const BEARER = /(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g;
const HOOK_PATH_SECRET = /\/hooks\/([a-z_]+)\/[A-Za-z0-9_-]{8,}/g;
/** scheme://user:password@host or scheme://token@host: everything between "//" and "@" of an authority. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>\\]+@/gi;

/** Replaces the user name and password of every URL in `text` ("https://k:t@host/x" → "https://[redacted]@host/x"). */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1[redacted]@');
}

/** Removes secrets from a line: known secret values, bearer and basic tokens, hook path secrets, URL credentials. */
export function redact(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of knownSecrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return redactUrlCredentials(out.replace(BEARER, '$1 [redacted]').replace(HOOK_PATH_SECRET, '/hooks/$1/[redacted]'));
}
