import { drain, engineHarness } from './helpers';

/** Two request ids with the same prefix and one with another, from a 4-prompt / 2-prefix workload. */
function pick(prefix: Int32Array): { a: number; b: number; other: number } {
  const first = prefix[0];
  const same = [...prefix.keys()].filter((i) => prefix[i] === first);
  const other = [...prefix.keys()].find((i) => prefix[i] !== first)!;
  return { a: same[0], b: same[1], other };
}

describe('prefix cache (lookups in full blocks)', () => {
  test('a later request of the same prefix hits the shared full blocks only', () => {
    const h = engineHarness({ numBlocks: 64, workload: { prefixLen: 70, suffixLen: 10 } });
    const { a, b, other } = pick(h.reqs.prefix);
    h.replica.arrive(a);
    drain(h);
    h.replica.arrive(b);
    h.replica.arrive(other);
    drain(h);
    expect(h.reqs.firstLookupQuery[b]).toBe(80);
    expect(h.reqs.firstLookupHit[b]).toBe(64); // floor(70 / 16) = 4 full blocks; the 5th holds suffix tokens
    expect(h.reqs.firstLookupHit[other]).toBe(0);
    expect(h.finished.sort()).toEqual([a, b, other].sort());
  });

  test('a hit never covers the whole prompt (the last token is recomputed for its logits)', () => {
    const h = engineHarness({ numBlocks: 64, workload: { prefixLen: 64, suffixLen: 0 } });
    const { a, b } = pick(h.reqs.prefix);
    h.replica.arrive(a);
    drain(h);
    h.replica.arrive(b);
    drain(h);
    expect(h.reqs.firstLookupHit[b]).toBe(48); // floor((64 - 1) / 16) blocks
  });
});

describe('scheduler', () => {
  test('a step with a prefill chunk is "mixed" (FA2 re-reads the decode KV); decode-only steps are not', () => {
    const durations = (rereadL2Bytes?: number) => {
      const h = engineHarness({ numBlocks: 256, rereadL2Bytes, workload: { outputLen: 6 } });
      const out: number[] = [];
      let t = 0;
      h.replica.arrive(0, 0);
      for (let step = 0; step < 8; step++) {
        if (step === 3) h.replica.arrive(1, t); // its prefill joins request 0's decodes
        const end = h.replica.startStep(t);
        out.push(end - t);
        h.replica.finishStep(end);
        t = end;
      }
      return out;
    };
    const packed = durations();
    const fa2 = durations(0); // no L2: every re-read goes to memory
    // Step 0: request 0's prefill alone (no decode KV to re-read); 1-2: decodes; 3: decode + prefill; 4-7: decodes.
    expect(fa2.map((d, i) => d > packed[i] + 1e-9)).toEqual([false, false, false, true, false, false, false, false]);
  });

  test('async scheduling: a request arriving while a step runs joins the step after next (step n+1 was already scheduled)', () => {
    for (const asyncScheduling of [false, true]) {
      const h = engineHarness({ numBlocks: 256, asyncScheduling });
      h.replica.arrive(0, 0);
      const end1 = h.replica.startStep(0); // request 0 alone
      expect(h.replica.arrive(1, end1 / 2)).toBe(false); // arrives mid-step: the engine is busy
      h.replica.finishStep(end1);
      const end2 = h.replica.startStep(end1);
      expect([asyncScheduling, h.replica.runningIds()]).toEqual([asyncScheduling, asyncScheduling ? [0] : [0, 1]]);
      expect(h.replica.numWaiting).toBe(asyncScheduling ? 1 : 0); // still counted as waiting (vLLM's gauge)
      h.replica.finishStep(end2);
      h.replica.startStep(end2);
      expect(h.replica.runningIds()).toEqual([0, 1]);
    }
  });

  test('async scheduling never strands an arrival: an engine with nothing else to run takes it at once', () => {
    const h = engineHarness({ numBlocks: 256, asyncScheduling: true, workload: { outputLen: 1 } });
    h.replica.arrive(0, 0);
    const end1 = h.replica.startStep(0);
    h.replica.arrive(1, end1 / 2);
    let t = end1;
    h.replica.finishStep(t);
    let end = h.replica.startStep(t);
    while (end >= 0) {
      t = end;
      h.replica.finishStep(t);
      end = h.replica.startStep(t);
    }
    expect(h.finished.sort()).toEqual([0, 1]);
  });

  test('never runs more than max-num-seqs requests', () => {
    const h = engineHarness({ numBlocks: 256, limits: { maxNumSeqs: 2 } });
    for (let r = 0; r < 4; r++) h.replica.arrive(r);
    let t = 0;
    let end = h.replica.startStep(t);
    let peak = 0;
    while (end >= 0) {
      peak = Math.max(peak, h.replica.numRunning);
      t = end;
      h.replica.finishStep(t);
      end = h.replica.startStep(t);
    }
    expect(peak).toBe(2);
    expect(h.finished).toHaveLength(4);
  });

  test('chunked prefill: a prompt longer than the token budget is computed over several steps', () => {
    const h = engineHarness({ numBlocks: 64, limits: { maxNumBatchedTokens: 32 } });
    const r = 0;
    h.replica.arrive(r);
    const computed: number[] = [];
    let t = 0;
    let end = h.replica.startStep(t);
    while (end >= 0 && Number.isNaN(h.reqs.firstTokenTime[r])) {
      t = end;
      h.replica.finishStep(t);
      computed.push(h.reqs.numComputed[r]);
      end = h.replica.startStep(t);
    }
    expect(computed).toEqual([32, 64, 80]); // 80-token prompt in chunks of at most 32
    expect(h.reqs.generated[r]).toBe(1); // the step that finishes the prompt samples the first token
  });

  test('preemption by recompute: when blocks run out the newest running request is evicted and requeued', () => {
    // Two 80-token prompts (5 blocks each) growing by 40 tokens (to 8 blocks) cannot both finish in 12 blocks.
    const h = engineHarness({ numBlocks: 12, workload: { outputLen: 40, numPrefixes: 4, numPrompts: 4 } });
    h.replica.arrive(0);
    h.replica.arrive(1);
    drain(h);
    expect(h.replica.preemptions).toBeGreaterThan(0);
    expect(h.reqs.preemptions[1]).toBeGreaterThan(0); // admitted second = newest = victim
    expect(h.reqs.preemptions[0]).toBe(0);
    expect(h.finished.sort()).toEqual([0, 1]);
    expect(h.reqs.generated[0]).toBe(40);
    expect(h.reqs.generated[1]).toBe(40);
    expect(h.replica.pool.usage).toBe(0);
  });

  test('reserveFullPrompt: a waiting request is admitted only when its whole prompt fits', () => {
    const run = (reserveFullPrompt: boolean) => {
      const h = engineHarness({ numBlocks: 7, limits: { maxNumBatchedTokens: 48, reserveFullPrompt }, workload: { numPrefixes: 4, numPrompts: 4 } });
      h.replica.arrive(0);
      h.replica.arrive(1);
      let t = 0;
      t = h.replica.startStep(t);
      h.replica.finishStep(t); // request 0 computed 48 of 80 tokens
      t = h.replica.startStep(t); // request 0 finishes its prompt (5 blocks), 16 tokens of budget left
      const admitted = h.replica.runningIds();
      h.replica.finishStep(t);
      drain(h);
      return { admitted, h };
    };
    expect(run(true).admitted).toEqual([0]); // 2 free blocks < 5 for the whole prompt of request 1
    expect(run(false).admitted).toEqual([0, 1]); // its first 16-token chunk needs only 1 block
    expect(run(true).h.finished.sort()).toEqual([0, 1]);
  });

  test('vLLM counts the lookup of a blocked queue head on every retry (every-lookup) or once (admission)', () => {
    const counts = (statsMode: 'every-lookup' | 'admission') => {
      const h = engineHarness({ numBlocks: 7, limits: { maxNumBatchedTokens: 48, statsMode }, workload: { numPrefixes: 4, numPrompts: 4 } });
      h.replica.arrive(0);
      h.replica.arrive(1);
      drain(h);
      return h.replica.prefixQueries;
    };
    expect(counts('admission')).toBe(160);
    expect(counts('every-lookup')).toBeGreaterThan(160);
  });

  test('KV usage is referenced blocks over all blocks', () => {
    const h = engineHarness({ numBlocks: 10 });
    h.replica.arrive(0);
    const end = h.replica.startStep(0);
    expect(h.replica.pool.usage).toBeCloseTo(5 / 10); // 80-token prompt = 5 blocks
    h.replica.finishStep(end);
    drain(h);
    expect(h.replica.pool.usage).toBe(0);
  });
});
