/**
 * One rule for numbers typed by a user (flags, `-c`, stage and length specs): plain decimals only.
 * `1e3` is refused with what to write instead, never read silently on one path and refused with
 * another message on the next.
 */
const EXPONENT = /^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$/;

/** The refusal for a number in exponent notation (the whole text, trimmed), or undefined. */
export function exponentProblem(text: string): string | undefined {
  const s = text.trim();
  return EXPONENT.test(s) ? `numbers are plain decimals, not exponent notation (write ${Number(s)})` : undefined;
}
