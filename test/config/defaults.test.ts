import { defaultConfig, listKeys, configSchema } from '../../lib/config';

describe('defaults are the reference run', () => {
  const c = defaultConfig();

  test('cluster and GPUs', () => {
    expect(c.aws.region).toBe('us-west-2');
    expect(c.gpuNodes).toMatchObject({ instanceType: 'g5.xlarge', count: 8 });
    expect(c.vllm.replicas).toBe(8);
    expect(c.model.id).toBe('Qwen/Qwen2.5-7B-Instruct');
  });

  test('workload 150/2048/128/256/inf/512/9000', () => {
    const b = c.benchmark;
    expect([b.numPrefixes, b.prefixLen, b.suffixLen, b.outputLen, b.requestRate, b.maxConcurrency, b.numPrompts])
      .toEqual([150, 2048, 128, 256, 'inf', 512, 9000]);
  });

  test('every key has a description', () => {
    const undocumented = listKeys(configSchema).filter((k) => k.description.trim() === '').map((k) => k.key);
    expect(undocumented).toEqual([]);
  });
});
