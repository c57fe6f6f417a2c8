/**
 * Every `npx llmd-bench simulate ...` line in the fenced code blocks of README.md and docs/*.md is
 * accepted: run in-process through the real CLI (main(): flags, cdk.json + -c, the config checks,
 * output paths, --epp-config), up to the simulation's parameters (simParams: workload, KV fit, EPP
 * configs). The simulation itself is replaced by a stop once its parameters are built, so the examples
 * stay cheap; what they print is covered by the simulator's own tests. Output paths are redirected to
 * a temporary directory; an example's own EndpointPickerConfig file (my-epp.yaml) is the rendered one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { defaultConfig } from '../../lib/config';
import { endpointPickerConfigFor } from '../../k8s/router/profiles';
import { tempDir } from '../temp-dir';
import { runCli } from '../run-cli';

const ROOT = path.join(__dirname, '..', '..');
const STOP = 'simulate-examples: parameters built, simulation skipped';

const built: unknown[] = [];
jest.mock('../../lib/sim/index', () => {
  const actual = jest.requireActual('../../lib/sim/index');
  const { simParams } = jest.requireActual('../../lib/sim/params');
  return {
    ...actual,
    simulate: (config: unknown, options: { overrides?: unknown; eppConfig?: unknown }) => {
      built.push(simParams(config, options.overrides ?? {}, options.eppConfig));
      throw new Error(STOP);
    },
    // The CLI runs the ensemble on worker threads through this one.
    simulateParallel: async (config: unknown, options: { overrides?: unknown; eppConfig?: unknown }) => {
      built.push(simParams(config, options.overrides ?? {}, options.eppConfig));
      throw new Error(STOP);
    },
  };
});

/** Shell words of one command line (quotes, no expansion: the examples need none). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The `npx llmd-bench simulate` commands of a Markdown file's fenced blocks, continuation lines joined, comments and `&& ...` dropped. */
export function simulateExamples(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  let pending: string | undefined;
  for (const raw of markdown.split('\n')) {
    if (/^\s*```/.test(raw)) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) continue;
    const line = raw.replace(/\s+#.*$/, '');
    const joined = pending !== undefined ? `${pending} ${line.trim()}` : line.trim();
    if (pending === undefined && !joined.startsWith('npx llmd-bench simulate')) continue;
    if (joined.endsWith('\\')) {
      pending = joined.slice(0, -1).trim();
      continue;
    }
    pending = undefined;
    out.push(joined.split('&&')[0].trim());
  }
  return out;
}

const files = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const examples = [...new Set(files.flatMap((f) => simulateExamples(fs.readFileSync(path.join(ROOT, f), 'utf8')).map((cmd) => `${f}: ${cmd}`)))];


test('the examples are found: README and docs/simulator.md, continuation lines joined', () => {
  expect(examples.filter((e) => e.startsWith('README.md: ')).length).toBeGreaterThanOrEqual(8);
  expect(examples.filter((e) => e.startsWith('docs/simulator.md: ')).length).toBeGreaterThanOrEqual(10);
  expect(examples).toContain('README.md: npx llmd-bench simulate -c gpuNodes.instanceType=p5.48xlarge -c gpuNodes.count=2 -c model.id=Qwen/Qwen3-32B -c vllm.tensorParallelSize=2');
  expect(simulateExamples('```bash\nnpx llmd-bench simulate --a 1 \\\n   --b 2    # note\nnpx llmd-bench report x\n```\nnpx llmd-bench simulate --outside')).toEqual(['npx llmd-bench simulate --a 1 --b 2']);
});

describe('every documented simulate example is accepted (exit 0 up to the simulation)', () => {
  const tmp = tempDir('llmd-sim-examples-');
  const eppFile = path.join(tmp, 'my-epp.yaml');
  fs.writeFileSync(eppFile, stringify(endpointPickerConfigFor(defaultConfig(), 'precise')));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test.each(examples)('%s', async (example) => {
    const args = words(example.slice(example.indexOf(': ') + 2)).slice(2); // drop "npx llmd-bench"
    for (let i = 0; i < args.length - 1; i++) {
      if (args[i] === '--json') args[i + 1] = path.join(tmp, path.basename(args[i + 1]));
      if (args[i] === '--out') args[i + 1] = path.join(tmp, `out-${i}`);
      if (args[i] === '--epp-config' && !fs.existsSync(path.join(ROOT, args[i + 1]))) args[i + 1] = eppFile;
    }
    const count = built.length;
    const r = await runCli(args);
    // The only way out is the stop after the parameters were built: no refusal, no other error.
    expect(r.stderr.split('\n').filter((l) => l.startsWith('llmd-bench')).join('\n')).toBe(`llmd-bench simulate: ${STOP}`);
    expect(built.length).toBe(count + 1);
  });
});
