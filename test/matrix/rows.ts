/** The deployments of issue 10's matrix (config context as `-c key=value` gives it) and what they must derive. */
export interface Row {
  readonly name: string;
  readonly context: Record<string, string>;
  readonly replicas: number;
  readonly tp: number;
  readonly perNode: number;
}

export const ROWS: readonly Row[] = [
  { name: '8 x g5.xlarge, Qwen2.5-7B, TP 1 (default)', context: {}, replicas: 8, tp: 1, perNode: 1 },
  { name: '2 x g5.12xlarge, Llama-3.1-8B, TP 1', context: { 'gpuNodes.instanceType': 'g5.12xlarge', 'gpuNodes.count': '2', 'model.id': 'meta-llama/Llama-3.1-8B-Instruct' }, replicas: 8, tp: 1, perNode: 4 },
  { name: '2 x g6e.12xlarge, Qwen3-32B, TP 2', context: { 'gpuNodes.instanceType': 'g6e.12xlarge', 'gpuNodes.count': '2', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': '2' }, replicas: 4, tp: 2, perNode: 2 },
  { name: '2 x p5.48xlarge, Qwen3-32B, TP 2', context: { 'gpuNodes.instanceType': 'p5.48xlarge', 'gpuNodes.count': '2', 'model.id': 'Qwen/Qwen3-32B', 'vllm.tensorParallelSize': '2' }, replicas: 8, tp: 2, perNode: 4 },
  { name: '1 x p4de.24xlarge (A100 80 GB), Llama-3.1-70B, TP 4', context: { 'gpuNodes.instanceType': 'p4de.24xlarge', 'gpuNodes.count': '1', 'model.id': 'meta-llama/Llama-3.1-70B-Instruct', 'vllm.tensorParallelSize': '4' }, replicas: 2, tp: 4, perNode: 2 },
  { name: '1 x p5e.48xlarge, Llama-3.1-70B, TP 8', context: { 'gpuNodes.instanceType': 'p5e.48xlarge', 'gpuNodes.count': '1', 'model.id': 'meta-llama/Llama-3.1-70B-Instruct', 'vllm.tensorParallelSize': '8' }, replicas: 1, tp: 8, perNode: 1 },
];
