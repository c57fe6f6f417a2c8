/**
 * Every integer config key answers a word, a fraction or a negative value with "integer" in what is
 * allowed, next to the key and the value given (newcomer review: "must be a number" for a count).
 * Integer keys are found by behaviour: those that refuse 1.5 when everything else is the default.
 */
import { ConfigError, loadConfig } from '../../lib/config';
import { configSchema } from '../../lib/config/schema';
import { listKeys } from '../../lib/config/schema-walk';

/** The problem line about `key`, or undefined when the value was accepted. */
function problem(key: string, value: string): string | undefined {
  try {
    loadConfig({ [key]: value });
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message.split('\n').find((l) => l.includes(`${key}: got `));
  }
}

const integerKeys = listKeys(configSchema).map((k) => k.key).filter((key) => {
  const line = problem(key, '1.5');
  return line !== undefined && /integer|whole number/.test(line);
});

test('the integer keys are found (counts, ports, sizes, lengths)', () => {
  expect(integerKeys).toEqual(expect.arrayContaining(['gpuNodes.count', 'systemNodes.count', 'vllm.port', 'monitoring.prometheusStorageGiB']));
  expect(integerKeys.length).toBeGreaterThanOrEqual(15);
});

/** What an integer key must say it takes: an integer (plain keys) or its own grammar (token lengths). */
const SAYS_WHAT_IT_TAKES = /integer|whole number|is not a length; use /;

test.each([['abc', '"abc"'], ['1.5', '1.5'], ['-3', '-3']])('every integer key refuses %s naming the key, the value and that it takes an integer', (value, shown) => {
  const bad = integerKeys.map((key) => [key, problem(key, value)] as const)
    .filter(([key, line]) => line !== undefined && !(line.includes(`${key}: got ${shown}`) && SAYS_WHAT_IT_TAKES.test(line)));
  expect(bad).toEqual([]);
  // A word is never accepted by an integer key.
  if (value === 'abc') expect(integerKeys.filter((key) => problem(key, value) === undefined)).toEqual([]);
});
