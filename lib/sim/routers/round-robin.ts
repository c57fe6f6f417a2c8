/**
 * The plain-Kubernetes path. `round-robin` sends request i to replica i mod N (IPVS `rr`, or what a
 * perfectly fair spreader would do). `random` is what a ClusterIP Service under kube-proxy iptables
 * mode really does: each new TCP connection goes to a uniformly random endpoint, and the client
 * (aiohttp in `vllm bench serve`) keeps connections alive and reuses the most recently released one,
 * so a request follows its connection.
 */
import type { Rng } from '../rng';
import type { Router } from './types';

export class RoundRobinRouter implements Router {
  private next = 0;

  constructor(private readonly replicas: number) {}

  pick(): number {
    const r = this.next;
    this.next = (this.next + 1) % this.replicas;
    return r;
  }

  release(): void {}
}

export class RandomPerConnectionRouter implements Router {
  /** Replica each open connection is pinned to. */
  private readonly connectionReplica: number[] = [];
  /** Idle connections, most recently released last (aiohttp pops from the end). */
  private readonly idle: number[] = [];
  private readonly connectionOf = new Map<number, number>();

  constructor(private readonly replicas: number, private readonly rng: Rng) {}

  pick(req: number): number {
    let c = this.idle.pop();
    if (c === undefined) {
      c = this.connectionReplica.length;
      this.connectionReplica.push(this.rng.int(this.replicas));
    }
    this.connectionOf.set(req, c);
    return this.connectionReplica[c];
  }

  release(req: number): void {
    const c = this.connectionOf.get(req);
    if (c === undefined) return;
    this.connectionOf.delete(req);
    this.idle.push(c);
  }

  /** Connections opened so far (the client's pool size). */
  get connections(): number {
    return this.connectionReplica.length;
  }
}
