/**
 * Command-line selectors of hardware, shared by `plan` and `tune`: instance types (names, `all`, or a
 * family such as `g6e.*`) and tensor-parallel sizes. Bad values are commander InvalidArgumentErrors
 * (exit 2, one line, through cli-kit).
 */
import { InvalidArgumentError } from 'commander';
import { TENSOR_PARALLEL_SIZES } from '../../config/fit';
import { GPU_INSTANCE_TYPES, instanceFamily } from '../../config/tables/instances';

/** `g5.xlarge,g6e.*` or `all` -> instance types of the registry, in registry order, no duplicates. */
export function parseInstanceTypes(value: string): string[] {
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new InvalidArgumentError('name at least one instance type');
  const chosen = new Set<string>();
  for (const part of parts) {
    if (part === 'all') {
      GPU_INSTANCE_TYPES.forEach((t) => chosen.add(t));
    } else if (part.endsWith('.*')) {
      const family = part.slice(0, -2);
      const types = GPU_INSTANCE_TYPES.filter((t) => instanceFamily(t) === family);
      if (types.length === 0) throw new InvalidArgumentError(`no GPU instance family "${family}"; families: ${[...new Set(GPU_INSTANCE_TYPES.map(instanceFamily))].join(', ')}`);
      types.forEach((t) => chosen.add(t));
    } else if (GPU_INSTANCE_TYPES.includes(part)) {
      chosen.add(part);
    } else {
      throw new InvalidArgumentError(`"${part}" is not a GPU instance type of lib/config/tables/instances.ts; use all, a family such as g6e.*, or one of ${GPU_INSTANCE_TYPES.join(', ')}`);
    }
  }
  return GPU_INSTANCE_TYPES.filter((t) => chosen.has(t));
}

/** `1,2` -> tensor-parallel sizes (each one of 1, 2, 4, 8), ascending. */
export function parseTensorParallelSizes(value: string): number[] {
  const out = new Set<number>();
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const n = Number(part);
    if (!(TENSOR_PARALLEL_SIZES as readonly number[]).includes(n)) throw new InvalidArgumentError(`"${part}": tensor-parallel sizes are ${TENSOR_PARALLEL_SIZES.join(', ')}`);
    out.add(n);
  }
  if (out.size === 0) throw new InvalidArgumentError(`name at least one of ${TENSOR_PARALLEL_SIZES.join(', ')}`);
  return [...out].sort((a, b) => a - b);
}
