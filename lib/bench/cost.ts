/**
 * `llmd-bench cost`: what the configured stack costs per hour in the configured region, itemised; how
 * long and how much a benchmark run of the configured size takes; and, per path, the $ per million
 * output tokens of the configured deployment at the throughput the simulator predicts for it (not the
 * reference run scaled). Prices come from lib/config/tables/prices.ts (dated, each figure marked
 * verified, unverified or fallback).
 */
import { type BenchConfig, configWarnings, gpuInstance } from '../config';
import { isPaused } from '../config/pause';
import { formatQuotaNeed, quotaNeeds, type QuotaNeed } from '../config/quota-needs';
import { ec2HourlyPrice, PRICES, type PriceQuote, type PriceStatus, servicePrices } from '../config/tables/prices';
import { BenchError, EXIT } from './errors';
import { formatNumber } from './report/format';
import { configuredStages, configuredWarmup } from '../workload/spec';

export interface CostLine {
  readonly item: string;
  readonly detail: string;
  readonly perHour: number;
  /** How sure the price is (the least sure of the figures in the line). */
  readonly priceStatus: PriceStatus;
}

/** The A/B paths every cost report prices; `cost --target` adds router-profile paths (llm-d-<profile>). */
export const PATHS = ['round-robin', 'llm-d'] as const;
/** A path label as `run --target` measures it (round-robin, llm-d, llm-d-<profile>). */
export type CostPath = string;

/** Predicted steady throughput of one path of the configured deployment. */
export interface PathThroughput {
  /** Completed requests per second. */
  readonly requestThroughput: number;
  /** Output tokens per second. */
  readonly outputThroughput: number;
}

export interface ThroughputPrediction {
  /** `simulated`: `llmd-bench simulate` on the configured deployment and workload. */
  readonly source: 'simulated';
  /** Per path label; each path `cost` prices must be here. */
  readonly paths: Readonly<Record<CostPath, PathThroughput>>;
  /** Calibration notes of the simulation (empty inside the calibrated envelope). */
  readonly notes: readonly string[];
}

/** Per Job: scheduling, starting the client and building the prompts before the first request. */
export const JOB_OVERHEAD_MINUTES = 2;
/** First Job on a fresh system node pulls the ~10 GB vLLM image. */
export const IMAGE_PULL_MINUTES = 5;
/** A rolling restart reloads the weights on every decode pod, one at a time (cacheReset=restart). */
export function restartMinutes(config: BenchConfig): number {
  const { rollingRestartMinutes } = require('../../k8s/vllm/flags') as typeof import('../../k8s/vllm/flags');
  const { PRE_STOP_SLEEP_SECONDS } = require('../../k8s/charts/vllm-decode-chart') as typeof import('../../k8s/charts/vllm-decode-chart');
  return rollingRestartMinutes(config, PRE_STOP_SLEEP_SECONDS);
}
/** `cdk deploy` of everything and `cdk destroy`, during which the nodes bill too. */
export const DEPLOY_HOURS = 0.75;
export const DESTROY_HOURS = 0.33;

/**
 * Throughput of the paths (default: both A/B paths) from the simulator, for the configured deployment
 * (GPU, model, TP, replicas, router config) and the configured main run. A router-profile path is
 * simulated with that profile's rendered EndpointPickerConfig (llm-d-<profile> routers; the custom
 * profile through its file). Loaded on demand: `cost --hours` needs no simulation, and the CLI starts
 * without the simulator's modules.
 */
export function predictThroughput(config: BenchConfig, labels: readonly string[] = PATHS): ThroughputPrediction {
  const { simulate, ROUTER_KINDS } = require('../sim') as typeof import('../sim');
  const paths: Record<string, PathThroughput> = {};
  const of = (r: { result: { request_throughput: number; output_throughput: number } }): PathThroughput => ({
    requestThroughput: r.result.request_throughput, outputThroughput: r.result.output_throughput,
  });
  const routers = [...new Set(labels)].filter((l) => (ROUTER_KINDS as readonly string[]).includes(l)) as (typeof ROUTER_KINDS)[number][];
  const unknown = [...new Set(labels)].filter((l) => !(ROUTER_KINDS as readonly string[]).includes(l));
  let notes: readonly string[] = [];
  if (routers.length > 0) {
    const sim = simulate(config, { routers, intervals: false });
    for (const r of sim.runs) paths[r.router] = of(r);
    notes = sim.calibration.warning ? [sim.calibration.warning] : [];
  }
  for (const label of unknown) {
    // llm-d-custom: the deployed custom file is what the EPP runs on that path.
    const { deployedProfiles, endpointPickerConfigFor } = require('../../k8s/router/profiles') as typeof import('../../k8s/router/profiles');
    const profile = deployedProfiles(config).find((p) => p.label === label);
    if (!profile) throw new BenchError(`cost: no simulator path for ${label}`, { exitCode: EXIT.badInput, hint: `--target takes ${PATHS.join(', ')} and the deployed router profiles` });
    const sim = simulate(config, { routers: ['llm-d'], eppConfig: endpointPickerConfigFor(config, profile.value) as unknown as import('../sim').EppConfigLike, intervals: false });
    paths[label] = of(sim.runs[0]);
    notes = sim.calibration.warning ? [sim.calibration.warning] : [];
  }
  return { source: 'simulated', paths, notes };
}

function ec2Price(type: string, key: string, region: string): PriceQuote {
  const price = ec2HourlyPrice(type, region);
  if (price === undefined) {
    throw new BenchError(`${key}: no price for instance type ${type} in lib/config/tables/prices.ts`, { exitCode: EXIT.badInput, hint: 'add its on-demand price there' });
  }
  return price;
}

const marked = (q: PriceQuote) => (q.status === 'verified' ? '' : ` [${q.status}${q.note ? `: ${q.note}` : ''}]`);

/** Hourly cost of everything the stacks keep running, one line per item, in the configured region. */
export function hourlyCost(config: BenchConfig): CostLine[] {
  const { gpuNodes, systemNodes, modelStore, network } = config;
  const region = config.aws.region;
  const svc = servicePrices(region);
  const svcStatus: PriceStatus = svc.fallback ? 'fallback' : svc.status;
  const fsxRate = modelStore.deploymentType === 'PERSISTENT_2'
    ? svc.fsxLustrePerGBMonth.PERSISTENT_2[modelStore.perUnitStorageThroughput]
    : svc.fsxLustrePerGBMonth.SCRATCH_2;
  if (fsxRate === undefined) {
    throw new BenchError(`modelStore.perUnitStorageThroughput: no FSx price for ${modelStore.perUnitStorageThroughput} MB/s/TiB`, { exitCode: EXIT.badInput });
  }
  const ebsGiB = gpuNodes.count * gpuNodes.diskSizeGiB + systemNodes.count * systemNodes.diskSizeGiB;
  const gpus = gpuInstance(config)?.gpus ?? 0;
  const gpuPrice = ec2Price(gpuNodes.instanceType, 'gpuNodes.instanceType', region);
  const sysPrice = ec2Price(systemNodes.instanceType, 'systemNodes.instanceType', region);
  return [
    { item: 'GPU nodes', detail: `${gpuNodes.count} x ${gpuNodes.instanceType} (${gpuNodes.count * gpus} GPUs), on-demand${marked(gpuPrice)}`, perHour: gpuNodes.count * gpuPrice.usdPerHour, priceStatus: gpuPrice.status },
    { item: 'system nodes', detail: `${systemNodes.count} x ${systemNodes.instanceType}${marked(sysPrice)}`, perHour: systemNodes.count * sysPrice.usdPerHour, priceStatus: sysPrice.status },
    { item: 'EKS control plane', detail: '1 cluster, standard support', perHour: PRICES.eksControlPlanePerHour, priceStatus: 'unverified' },
    {
      item: 'FSx for Lustre',
      detail: `${modelStore.storageCapacityGiB} GiB ${modelStore.deploymentType}${modelStore.deploymentType === 'PERSISTENT_2' ? ` ${modelStore.perUnitStorageThroughput} MB/s/TiB` : ''} at $${fsxRate}/GB-month`,
      perHour: (modelStore.storageCapacityGiB * fsxRate) / PRICES.hoursPerMonth,
      priceStatus: svc.fsxFallback ? 'fallback' : svcStatus,
    },
    { item: 'NAT gateways', detail: `${network.natGateways} x ($${svc.natGatewayPerHour}/h + $${PRICES.publicIpv4PerHour}/h public IPv4), data processing extra`, perHour: network.natGateways * (svc.natGatewayPerHour + PRICES.publicIpv4PerHour), priceStatus: svcStatus },
    { item: 'EBS root volumes', detail: `${ebsGiB} GiB gp3`, perHour: (ebsGiB * svc.ebsGp3PerGBMonth) / PRICES.hoursPerMonth, priceStatus: svcStatus },
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
  /** The path the part belongs to (undefined: shared, e.g. the image pull). */
  readonly path?: CostPath;
}

/** Estimated wall time of `llmd-bench run` for the configured workload, at the predicted throughput of each path. */
export function estimateRunMinutes(config: BenchConfig, shape: RunShape, prediction: ThroughputPrediction): DurationPart[] {
  const b = config.benchmark;
  const paths = shape.labels ?? PATHS.slice(0, Math.max(1, Math.min(2, shape.targets)));
  // Load stages take their wall time, or longer when the replicas cannot keep up (the queue drains after).
  const stages = configuredStages(config);
  const warmupStage = configuredWarmup(config);
  const stagedMinutes = (capacity: number) => [...(warmupStage ? [warmupStage] : []), ...stages]
    .reduce((a, s) => a + Math.max(s.durationS, (s.rate * s.durationS) / capacity) / 60 + 1 / 60, 0);
  const parts: DurationPart[] = [{ what: 'first image pull on a system node', minutes: IMAGE_PULL_MINUTES }];
  const resetMinutes = b.cacheReset === 'restart' ? restartMinutes(config) : 0.1;
  for (const p of paths) {
    const predicted = prediction.paths[p];
    if (!predicted) throw new BenchError(`no predicted throughput for the ${p} path; nothing to price it by`, { exitCode: EXIT.badInput });
    const capacity = predicted.requestThroughput;
    if (!(capacity > 0)) throw new BenchError(`the simulator predicts no completed request on the ${p} path; nothing to price`, { exitCode: EXIT.badInput });
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
    parts.push({ what: `${p}: ${steps} Job${steps === 1 ? '' : 's'} (benchmark traffic)`, minutes, path: p });
    parts.push({ what: `${p}: Job start-up and ${measured} cache reset${measured === 1 ? '' : 's'} (${b.cacheReset})`, minutes: steps * JOB_OVERHEAD_MINUTES + measured * resetMinutes, path: p });
  }
  return parts;
}

/** What one path costs at its predicted throughput. */
export interface PathCost {
  readonly path: CostPath;
  readonly requestThroughput: number;
  readonly outputThroughput: number;
  /** Minutes of the run this path takes (traffic, Job start-ups, cache resets). */
  readonly runMinutes: number;
  readonly runCost: number;
  /** Whole stack per hour / output tokens per hour, x 1e6. */
  readonly usdPerMillionOutputTokens: number;
  /** The GPU nodes alone, per million output tokens. */
  readonly gpuUsdPerMillionOutputTokens: number;
}

export interface CostReport {
  readonly region: string;
  readonly lines: CostLine[];
  readonly perHour: number;
  /** Undefined while paused (nothing to simulate). */
  readonly prediction?: ThroughputPrediction;
  readonly paths: PathCost[];
  readonly run: { parts: DurationPart[]; hours: number; cost: number; byHours: boolean };
  readonly session: { hours: number; cost: number };
  readonly quotas: QuotaNeed[];
  readonly notes: string[];
}

export function costReport(config: BenchConfig, shape: RunShape, hoursOverride?: number, prediction?: ThroughputPrediction): CostReport {
  if (hoursOverride !== undefined && !(hoursOverride > 0 && Number.isFinite(hoursOverride))) {
    throw new BenchError(`--hours ${hoursOverride}: must be a positive number of hours`, { exitCode: EXIT.badInput });
  }
  const lines = hourlyCost(config);
  const perHour = lines.reduce((a, l) => a + l.perHour, 0);
  const gpuPerHour = lines[0].perHour;
  // Paused (gpuNodes.count = 0): no run is possible and nothing to simulate; price an hour of the paused stack.
  const paused = isPaused(config);
  // The per-path table: the A/B paths, plus every path the run measures (cost --target).
  const tablePaths = [...new Set<string>([...PATHS, ...(shape.labels ?? [])])];
  const predicted = paused ? { source: 'simulated' as const, paths: undefined, notes: [] } : (prediction ?? predictThroughput(config, tablePaths));
  const parts = predicted.paths ? estimateRunMinutes(config, shape, predicted as ThroughputPrediction) : [];
  const estimated = parts.reduce((a, p) => a + p.minutes, 0) / 60;
  const hours = hoursOverride ?? (paused ? 1 : estimated);
  const paths = !predicted.paths ? [] : tablePaths.map((path): PathCost => {
    const t = predicted.paths![path];
    if (!t) throw new BenchError(`no predicted throughput for the ${path} path; nothing to price it by`, { exitCode: EXIT.badInput });
    const runMinutes = parts.filter((p) => p.path === path).reduce((a, p) => a + p.minutes, 0);
    const perMillion = (usdPerHour: number) => (usdPerHour / (t.outputThroughput * 3600)) * 1e6;
    return {
      path,
      requestThroughput: t.requestThroughput,
      outputThroughput: t.outputThroughput,
      runMinutes,
      runCost: (runMinutes / 60) * perHour,
      usdPerMillionOutputTokens: perMillion(perHour),
      gpuUsdPerMillionOutputTokens: perMillion(gpuPerHour),
    };
  });
  const region = config.aws.region;
  const notes = [
    `Prices: ${region} on-demand, table reviewed ${PRICES.reviewed} (lib/config/tables/prices.ts). ${PRICES.provenance.join(' ')}`,
    'Not itemised: data transfer, NAT data processing ($0.045/GB, mostly the one-time model download), CloudWatch logs, S3 for CDK assets.',
    `Throughput: predicted by \`llmd-bench simulate\` for this deployment and workload (simulated, not measured); a real run is the measurement.`,
    ...predicted.notes.map((n) => `Simulation ${n}.`),
  ];
  const unsure = lines.filter((l) => l.priceStatus === 'fallback');
  if (unsure.length > 0) notes.unshift(`No ${region} price is known for: ${unsure.map((l) => l.item).join(', ')}; those lines show US list prices, so the total is a lower bound (other regions list 5-30% higher).`);
  if (config.gpuNodes.capacityType === 'SPOT') notes.unshift('gpuNodes.capacityType is SPOT: GPU nodes are billed at spot prices, usually well below these on-demand figures.');
  if (paused) notes.unshift('gpuNodes.count is 0 (paused): no benchmark can run; the figures are what the paused stack costs per hour (control plane, system nodes, FSx, NAT). Resume: npx cdk deploy --all -c gpuNodes.count=<N>.');
  notes.push(...configWarnings(config).map((w) => `warning: ${w}`));
  const sessionHours = DEPLOY_HOURS + hours + DESTROY_HOURS;
  return {
    region,
    lines,
    perHour,
    prediction: predicted.paths ? (predicted as ThroughputPrediction) : undefined,
    paths,
    run: { parts, hours, cost: hours * perHour, byHours: hoursOverride !== undefined || paused },
    session: { hours: sessionHours, cost: sessionHours * perHour },
    quotas: quotaNeeds(config),
    notes,
  };
}

const usd = (v: number) => `$${formatNumber(v, 2)}`;

/** The cost report as printed by the CLI. */
export function formatCost(report: CostReport): string {
  const w = Math.max(...report.lines.map((l) => l.item.length));
  const out = [`Cost per hour while the stacks are deployed (${report.region}):`];
  for (const l of report.lines) out.push(`  ${l.item.padEnd(w)}  ${usd(l.perHour).padStart(8)}/h   ${l.detail}`);
  out.push(`  ${'total'.padEnd(w)}  ${usd(report.perHour).padStart(8)}/h`, '');
  if (report.paths.length > 0) {
    out.push('Per path, at the throughput the simulator predicts for this deployment (simulated):');
    const pw = Math.max(12, ...report.paths.map((p) => p.path.length));
    out.push(`  ${'path'.padEnd(pw)} ${'req/s'.padStart(7)} ${'output tok/s'.padStart(13)} ${'run min'.padStart(8)} ${'run cost'.padStart(9)} ${'$/M out tok'.padStart(12)} ${'GPU $/M'.padStart(9)}`);
  for (const p of report.paths) {
    out.push(`  ${p.path.padEnd(pw)} ${formatNumber(p.requestThroughput, 2).padStart(7)} ${formatNumber(p.outputThroughput, 0).padStart(13)} ${formatNumber(p.runMinutes, 1).padStart(8)} ${usd(p.runCost).padStart(9)} ${usd(p.usdPerMillionOutputTokens).padStart(12)} ${usd(p.gpuUsdPerMillionOutputTokens).padStart(9)}`);
    }
    out.push('');
  }
  if (report.run.byHours) {
    out.push(`For ${formatNumber(report.run.hours, 2)} h: ${usd(report.run.cost)}`);
  } else {
    out.push(`A benchmark run of the configured size (about ${formatNumber(report.run.hours * 60, 0)} min):`);
    for (const p of report.run.parts) out.push(`  ${formatNumber(p.minutes, 1).padStart(6)} min  ${p.what}`);
    out.push(`  ${usd(report.run.cost)} for the run`);
  }
  out.push(`Deploy + run + destroy (about ${formatNumber(report.session.hours, 1)} h with ${DEPLOY_HOURS} h deploy and ${DESTROY_HOURS} h destroy): ${usd(report.session.cost)}`, '');
  out.push(`EC2 vCPU quotas needed in ${report.region} (Service Quotas; request increases before deploying):`,
    ...report.quotas.map((q) => `  ${formatQuotaNeed(q)}`), '');
  out.push(...report.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}
