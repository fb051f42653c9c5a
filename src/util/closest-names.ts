/**
 * "Did you mean" suggestions: the candidates closest to a misspelt name (Levenshtein distance, ties by order).
 *
 * @packageDocumentation
 */

/** Edit distance between two strings (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Up to `limit` candidates close enough to `name` to be what was meant (distance at most a third of the longer
 * name, at least 2), nearest first. A candidate that contains the name, or is contained in it, also counts.
 */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored: { candidate: string; distance: number; order: number }[] = [];
  let order = 0;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    const threshold = Math.max(2, Math.floor(Math.max(lower.length, other.length) / 3));
    const contains = lower.length >= 3 && (other.includes(lower) || lower.includes(other));
    if (distance <= threshold || contains)
      scored.push({ candidate, distance: contains ? Math.min(distance, threshold) : distance, order });
    order += 1;
  }
  scored.sort((x, y) => x.distance - y.distance || x.order - y.order);
  return scored.slice(0, limit).map((entry) => entry.candidate);
}
