/** "Did you mean" for config values and keys: the nearest candidate by edit distance, if near enough (callers offer it for typos only, not for a known value of the wrong kind). */

/**
 * Edit distance: insertions, deletions and substitutions (Levenshtein); with `swaps`, an adjacent swap
 * also counts one edit (optimal string alignment), as the CLI's flag suggestions use it.
 */
export function editDistance(a: string, b: string, swaps = false): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (swaps && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** `did you mean "g5.xlarge"? ` for a typo of one of `candidates` (case-insensitive), else ''. */
export function didYouMean(value: string, candidates: readonly string[]): string {
  const v = value.toLowerCase();
  const best = candidates.map((c) => ({ c, d: editDistance(v, c.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d > 0 && best.d <= Math.max(2, Math.floor(value.length / 4)) ? `did you mean "${best.c}"? ` : '';
}
