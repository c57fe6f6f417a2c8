/** Pod log lines the CLI prints cannot drive the user's terminal (issue 14 #13). */
import { stripControl } from '../../lib/bench/sanitize';
import { describeError, BenchError } from '../../lib/bench/errors';

describe('stripControl', () => {
  test.each([
    ['colours (CSI SGR)', '\u001b[31merror\u001b[0m: boom', 'error: boom'],
    ['cursor movement and erase (CSI)', 'ok\u001b[2K\u001b[1A\u001b[999Dforged line', 'okforged line'],
    ['window title (OSC, BEL-terminated)', '\u001b]0;pwned\u0007text', 'text'],
    ['hyperlink (OSC 8, ST-terminated)', '\u001b]8;;http://evil.example\u001b\\click\u001b]8;;\u001b\\', 'click'],
    ['device control string (DCS)', 'a\u001bPq#0;2;0;0;0\u001b\\b', 'ab'],
    ['8-bit CSI', 'a\u009b31mb', 'ab'],
    ['carriage return overwriting a line, bell, backspace, NUL', 'safe\rEVIL\u0007\u0008\u0000', 'safeEVIL'],
  ])('%s', (_what, input, output) => {
    expect(stripControl(input)).toBe(output);
  });

  test('keeps tabs, newlines and Unicode text', () => {
    expect(stripControl('a\tb\nc ✔ 日本')).toBe('a\tb\nc ✔ 日本');
  });

  test('every error the CLI prints is stripped, details (pod log lines) included', () => {
    const { text } = describeError(new BenchError('Job failed \u001b]0;x\u0007', { details: ['\u001b[2Jlast line'], hint: 'see logs' }));
    expect(text).toBe('Job failed \n    last line\n  what to do: see logs');
  });
});
