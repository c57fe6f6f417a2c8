/**
 * A worker thread of `tune`: runs probes (lib/bench/tune/predict.ts) and posts their predictions back.
 * Started by pool.ts through a two-line bootstrap that registers tsx first when running from the
 * TypeScript sources (the CLI, jest), so the same code runs compiled or not.
 */
import { parentPort } from 'worker_threads';
import { type Probe, predict } from './predict';

parentPort?.on('message', (msg: { id: number; probe: Probe }) => {
  parentPort?.postMessage({ id: msg.id, prediction: predict(msg.probe) });
});
