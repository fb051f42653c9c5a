/**
 * Removes secrets (password, API key, session id) from text before it becomes part of an error, an event or a log.
 *
 * @packageDocumentation
 */

/** What replaces a secret in redacted text. */
export const REDACTED = '[redacted]';

/**
 * Returns `text` with every occurrence of every non-empty secret replaced by {@link REDACTED}.
 *
 * Longer secrets are replaced first, so that a secret containing another one is removed whole.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  const present = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length > 0);
  present.sort((a, b) => b.length - a.length);
  for (const secret of present) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}
