/**
 * llmd-bench: the benchmark CLI (bin/llmd-bench.js runs main() through tsx). The program is built in
 * lib/bench/program.ts. Exit codes: 0 success, 1 cluster or AWS failure, 2 bad input (no command
 * included), 130 interrupted.
 */
export { buildProgram, main, versionText } from '../lib/bench/program';
