/**
 * Text from the cluster (pod logs, API error bodies) is printed to the user's terminal. A pod can
 * write escape sequences that move the cursor, retitle the window, rewrite earlier lines or hide text
 * (CSI/OSC/DCS sequences); strip them, and every other control character except tab and newline.
 */

// ESC [ ... final byte (CSI), ESC ] ... BEL/ST (OSC), ESC P/X/^/_ ... ST (DCS, SOS, PM, APC), and
// two-byte ESC sequences; then the 8-bit C1 forms (0x9b CSI, 0x9d OSC, ...).
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]|[\u009d\u0090\u0098\u009e\u009f][^\u0007\u009c]*[\u0007\u009c]?|[\u0080-\u009f]/g;
// C0 controls and DEL, except \t and \n (\r is removed: it lets a line overwrite what came before).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** The text with terminal control sequences and control characters removed (tab and newline kept). */
export function stripControl(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}
