/**
 * `llmd-bench cost`: what the configured stack costs per hour, itemised, and what a benchmark run of
 * the configured size costs. Prices come from lib/config/tables/prices.ts (one table, dated).
 */
import type { BenchConfig } from '../config';
import { PRICES } from '../config/tables/prices';
import { INSTANCE_TYPES } from '../config/tables/instances';
import { BenchError, EXIT } from './errors';
import { formatNumber } from './report/format';
import { configuredStages, configuredWarmup } from '../workload/spec';

export interface CostLine {
  readonly item: string;
  readonly detail: string;
  readonly perHour: number;
}

/**
 * Throughput per decode replica of the reference run (A10G, Qwen2.5-7B, 150 x 2048-token prefixes):
 * 10.71 and 25.09 req/s over 8 replicas. Used only to estimate how long a run takes.
 */
export const REFERENCE_REQ_PER_S_PER_REPLICA = { 'round-robin': 10.71 / 8, 'llm-d': 25.09 / 8 } as const;
/** Per Job: scheduling, starting the client and building the prompts before the first request. */
export const JOB_OVERHEAD_MINUTES = 2;
/** First Job on a fresh system node pulls the ~10 GB vLLM image. */
export const IMAGE_PULL_MINUTES = 5;
/** A rolling restart reloads the weights on every decode pod (cacheReset=restart). */
export const RESTART_MINUTES = 10;
/** `cdk deploy` of everything and `cdk destroy`, during which the nodes bill too. */
export const DEPLOY_HOURS = 0.75;
export const DESTROY_HOURS = 0.33;

function ec2Price(type: string, key: string): number {
  const price = PRICES.ec2PerHour[type];
  if (price === undefined) {
    throw new BenchError(`${key}: no price for instance type ${type} in lib/config/tables/prices.ts`, { exitCode: EXIT.badInput, hint: 'add its on-demand price there' });
  }
  return price;
}

/** Hourly cost of everything the stacks keep running, one line per item. */
export function hourlyCost(config: BenchConfig): CostLine[] {
  const { gpuNodes, systemNodes, modelStore, network } = config;
  const fsxRate = modelStore.deploymentType === 'PERSISTENT_2'
    ? PRICES.fsxLustrePerGBMonth.PERSISTENT_2[modelStore.perUnitStorageThroughput]
    : PRICES.fsxLustrePerGBMonth.SCRATCH_2;
  if (fsxRate === undefined) {
    throw new BenchError(`modelStore.perUnitStorageThroughput: no FSx price for ${modelStore.perUnitStorageThroughput} MB/s/TiB`, { exitCode: EXIT.badInput });
  }
  const ebsGiB = gpuNodes.count * gpuNodes.diskSizeGiB + systemNodes.count * systemNodes.diskSizeGiB;
  const gpus = INSTANCE_TYPES[gpuNodes.instanceType]?.gpus ?? 0;
  return [
    { item: 'GPU nodes', detail: `${gpuNodes.count} x ${gpuNodes.instanceType} (${gpuNodes.count * gpus} GPUs), on-demand`, perHour: gpuNodes.count * ec2Price(gpuNodes.instanceType, 'gpuNodes.instanceType') },
    { item: 'system nodes', detail: `${systemNodes.count} x ${systemNodes.instanceType}`, perHour: systemNodes.count * ec2Price(systemNodes.instanceType, 'systemNodes.instanceType') },
    { item: 'EKS control plane', detail: '1 cluster, standard support', perHour: PRICES.eksControlPlanePerHour },
    {
      item: 'FSx for Lustre',
      detail: `${modelStore.storageCapacityGiB} GiB ${modelStore.deploymentType}${modelStore.deploymentType === 'PERSISTENT_2' ? ` ${modelStore.perUnitStorageThroughput} MB/s/TiB` : ''} at $${fsxRate}/GB-month`,
      perHour: (modelStore.storageCapacityGiB * fsxRate) / PRICES.hoursPerMonth,
    },
    { item: 'NAT gateways', detail: `${network.natGateways} x ($${PRICES.natGatewayPerHour}/h + $${PRICES.publicIpv4PerHour}/h public IPv4), data processing extra`, perHour: network.natGateways * (PRICES.natGatewayPerHour + PRICES.publicIpv4PerHour) },
    { item: 'EBS root volumes', detail: `${ebsGiB} GiB gp3`, perHour: (ebsGiB * PRICES.ebsGp3PerGBMonth) / PRICES.hoursPerMonth },
  ];
}

export interface RunShape {
  readonly targets: number;
  /** The paths' result labels (run --target), when known; router profiles run at llm-d's pace. */
  readonly labels?: readonly string[];
  readonly ladder: boolean;
  readonly warmup: boolean;
}

export interface DurationPart {
  readonly what: string;
  readonly minutes: number;
}

/** Estimated wall time of `llmd-bench run` for the configured workload (calibrated on the reference). */
export function estimateRunMinutes(config: BenchConfig, shape: RunShape): DurationPart[] {
  const b = config.benchmark;
  const replicas = config.vllm.replicas;
  const paths = shape.labels ?? (['round-robin', 'llm-d'] as const).slice(0, Math.max(1, Math.min(2, shape.targets)));
  // Load stages take their wall time, or longer when the replicas cannot keep up (the queue drains after).
  const stages = configuredStages(config);
  const warmupStage = configuredWarmup(config);
  const stagedMinutes = (capacity: number) => [...(warmupStage ? [warmupStage] : []), ...stages]
    .reduce((a, s) => a + Math.max(s.durationS, (s.rate * s.durationS) / capacity) / 60 + 1 / 60, 0);
  const parts: DurationPart[] = [{ what: 'first image pull on a system node', minutes: IMAGE_PULL_MINUTES }];
  const resetMinutes = b.cacheReset === 'restart' ? RESTART_MINUTES : 0.1;
  for (const p of paths) {
    const capacity = REFERENCE_REQ_PER_S_PER_REPLICA[p === 'round-robin' ? 'round-robin' : 'llm-d'] * replicas;
    const at = (rate: number | 'inf') => (rate === 'inf' ? capacity : Math.min(rate, capacity));
    let steps = 0;
    let minutes = 0;
    if (shape.warmup) {
      minutes += b.warmupNumPrompts / at(b.requestRate) / 60;
      steps++;
    }
    minutes += stages.length > 0 ? stagedMinutes(capacity) : b.numPrompts / at(b.requestRate) / 60;
    steps++;
    if (shape.ladder) {
      for (const r of b.ladderRates) {
        if (r === b.requestRate) continue;
        minutes += b.ladderNumPrompts / at(r) / 60;
        steps++;
      }
    }
    const measured = shape.warmup ? steps - 1 : steps;
    parts.push({ what: `${p}: ${steps} Job${steps === 1 ? '' : 's'} (benchmark traffic)`, minutes });
    parts.push({ what: `${p}: Job start-up and ${measured} cache reset${measured === 1 ? '' : 's'} (${b.cacheReset})`, minutes: steps * JOB_OVERHEAD_MINUTES + measured * resetMinutes });
  }
  return parts;
}

export interface CostReport {
  readonly lines: CostLine[];
  readonly perHour: number;
  readonly run: { parts: DurationPart[]; hours: number; cost: number; byHours: boolean };
  readonly session: { hours: number; cost: number };
  readonly notes: string[];
}

export function costReport(config: BenchConfig, shape: RunShape, hoursOverride?: number): CostReport {
  if (hoursOverride !== undefined && !(hoursOverride > 0 && Number.isFinite(hoursOverride))) {
    throw new BenchError(`--hours ${hoursOverride}: must be a positive number of hours`, { exitCode: EXIT.badInput });
  }
  const lines = hourlyCost(config);
  const perHour = lines.reduce((a, l) => a + l.perHour, 0);
  const parts = estimateRunMinutes(config, shape);
  const estimated = parts.reduce((a, p) => a + p.minutes, 0) / 60;
  const hours = hoursOverride ?? estimated;
  const notes = [
    `Prices: ${PRICES.region} on-demand, table reviewed ${PRICES.reviewed} (lib/config/tables/prices.ts). ${PRICES.provenance.join(' ')}`,
    'Not itemised: data transfer, NAT data processing ($0.045/GB, mostly the one-time model download), CloudWatch logs, S3 for CDK assets.',
  ];
  if (config.aws.region !== PRICES.region) notes.unshift(`aws.region is ${config.aws.region} but the price table is for ${PRICES.region}; prices differ by region.`);
  if (config.gpuNodes.capacityType === 'SPOT') notes.unshift('gpuNodes.capacityType is SPOT: GPU nodes are billed at spot prices, usually well below these on-demand figures.');
  if (hoursOverride === undefined) {
    notes.push('Run duration is an estimate from the reference run\'s throughput per replica (A10G, Qwen2.5-7B); other GPUs or models differ: pass --hours.');
  }
  const sessionHours = DEPLOY_HOURS + hours + DESTROY_HOURS;
  return { lines, perHour, run: { parts, hours, cost: hours * perHour, byHours: hoursOverride !== undefined }, session: { hours: sessionHours, cost: sessionHours * perHour }, notes };
}

const usd = (v: number) => `$${formatNumber(v, 2)}`;

/** The cost report as printed by the CLI. */
export function formatCost(report: CostReport): string {
  const w = Math.max(...report.lines.map((l) => l.item.length));
  const out = ['Cost per hour while the stacks are deployed:'];
  for (const l of report.lines) out.push(`  ${l.item.padEnd(w)}  ${usd(l.perHour).padStart(8)}/h   ${l.detail}`);
  out.push(`  ${'total'.padEnd(w)}  ${usd(report.perHour).padStart(8)}/h`, '');
  if (report.run.byHours) {
    out.push(`For ${formatNumber(report.run.hours, 2)} h: ${usd(report.run.cost)}`);
  } else {
    out.push(`A benchmark run of the configured size (about ${formatNumber(report.run.hours * 60, 0)} min):`);
    for (const p of report.run.parts) out.push(`  ${formatNumber(p.minutes, 1).padStart(6)} min  ${p.what}`);
    out.push(`  ${usd(report.run.cost)} for the run`);
  }
  out.push(`Deploy + run + destroy (about ${formatNumber(report.session.hours, 1)} h with ${DEPLOY_HOURS} h deploy and ${DESTROY_HOURS} h destroy): ${usd(report.session.cost)}`, '');
  out.push(...report.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}
