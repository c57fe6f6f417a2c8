/** "Did you mean" for config values and keys: the nearest candidate by edit distance, if near enough (callers offer it for typos only, not for a known value of the wrong kind). */

/** Edit distance (insertions, deletions, substitutions). */
export function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length][b.length];
}

/** `did you mean "g5.xlarge"? ` for a typo of one of `candidates` (case-insensitive), else ''. */
export function didYouMean(value: string, candidates: readonly string[]): string {
  const v = value.toLowerCase();
  const best = candidates.map((c) => ({ c, d: distance(v, c.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d > 0 && best.d <= Math.max(2, Math.floor(value.length / 4)) ? `did you mean "${best.c}"? ` : '';
}
