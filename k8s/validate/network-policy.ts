/**
 * A small NetworkPolicy evaluator over rendered objects (networking.k8s.io/v1 semantics), for the
 * wiring tests: may `from` open a connection to `to` on `port`? A connection needs the source's
 * egress AND the destination's ingress: a pod no policy of its namespace selects for a direction is
 * unrestricted in it; a selected pod allows only what some rule of a selecting policy allows. Peers
 * match by pod labels, namespace labels, or ipBlock (cidr minus except). Pods carry VPC addresses
 * (the VPC CNI), so an ipBlock over the VPC matches pods too, as the VPC CNI's IP-based enforcement
 * does. Not modelled: the always-allowed traffic from a pod's own node (kubelet probes).
 */
import type { K8sObject } from '../render';

/** Something that opens or accepts a connection: a pod (namespace, labels, address) or a bare address. */
export type Actor =
  | { readonly kind: 'pod'; readonly name: string; readonly namespace: string; readonly labels: Readonly<Record<string, string>>; readonly ip: string }
  | { readonly kind: 'ip'; readonly name: string; readonly ip: string };

export interface Connection {
  readonly from: Actor;
  readonly to: Actor;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** Label selector semantics (matchLabels AND matchExpressions; the empty selector matches everything). */
export function selects(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    const ok = e.operator === 'In' ? has && values.includes(labels[e.key])
      : e.operator === 'NotIn' ? !has || !values.includes(labels[e.key])
        : e.operator === 'Exists' ? has
          : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** True when `ip` lies in `cidr`. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const prefix = Number(bits);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === ((ipToInt(base) & mask) >>> 0);
}

export class PolicyEvaluator {
  private readonly policies: K8sObject[];
  private readonly namespaceLabels: Map<string, Record<string, string>>;

  /**
   * `objects`: the render (its NetworkPolicies and Namespaces are used); `extraNamespaces`: namespaces
   * outside the render (monitoring, kube-system, ...), each labelled with kubernetes.io/metadata.name
   * as the API server does.
   */
  constructor(objects: readonly K8sObject[], extraNamespaces: readonly string[] = []) {
    this.policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    this.namespaceLabels = new Map();
    for (const o of objects.filter((x) => x.kind === 'Namespace')) {
      this.namespaceLabels.set(o.metadata.name, { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name });
    }
    for (const ns of extraNamespaces) if (!this.namespaceLabels.has(ns)) this.namespaceLabels.set(ns, { 'kubernetes.io/metadata.name': ns });
  }

  allowed(c: Connection): boolean {
    return this.egressAllowed(c) && this.ingressAllowed(c);
  }

  /** The policies of `pod`'s namespace that select it for a direction. */
  private selecting(pod: Actor, type: 'Ingress' | 'Egress'): K8sObject[] {
    if (pod.kind !== 'pod') return [];
    return this.policies.filter((p) => p.metadata.namespace === pod.namespace && selects(p.spec.podSelector ?? {}, pod.labels) && policyTypes(p).includes(type));
  }

  egressAllowed(c: Connection): boolean {
    if (c.from.kind !== 'pod') return true;
    const policies = this.selecting(c.from, 'Egress');
    if (policies.length === 0) return true;
    return policies.some((p) => (p.spec.egress ?? []).some((rule: any) => this.ruleMatches(rule.to, rule.ports, p.metadata.namespace, c.to, c)));
  }

  ingressAllowed(c: Connection): boolean {
    if (c.to.kind !== 'pod') return true;
    const policies = this.selecting(c.to, 'Ingress');
    if (policies.length === 0) return true;
    return policies.some((p) => (p.spec.ingress ?? []).some((rule: any) => this.ruleMatches(rule.from, rule.ports, p.metadata.namespace, c.from, c)));
  }

  private ruleMatches(peers: any[] | undefined, ports: any[] | undefined, policyNamespace: string, peer: Actor, c: Connection): boolean {
    // An absent or empty from/to list matches every peer.
    const peerOk = !peers || peers.length === 0 || peers.some((p) => this.peerMatches(p, policyNamespace, peer));
    if (!peerOk) return false;
    if (!ports || ports.length === 0) return true;
    return ports.some((p) => (p.protocol ?? 'TCP') === c.protocol && (p.port === undefined || (typeof p.port === 'number' && c.port >= p.port && c.port <= (p.endPort ?? p.port))));
  }

  private peerMatches(rule: any, policyNamespace: string, peer: Actor): boolean {
    if (rule.ipBlock) {
      return inCidr(peer.ip, rule.ipBlock.cidr) && !(rule.ipBlock.except ?? []).some((e: string) => inCidr(peer.ip, e));
    }
    if (peer.kind !== 'pod') return false;
    const nsOk = rule.namespaceSelector ? selects(rule.namespaceSelector, this.namespaceLabels.get(peer.namespace) ?? {}) : peer.namespace === policyNamespace;
    const podOk = rule.podSelector ? selects(rule.podSelector, peer.labels) : true;
    return nsOk && podOk;
  }
}

function policyTypes(p: K8sObject): string[] {
  // Absent policyTypes: Ingress always, Egress when the policy has egress rules (the API server's default).
  return p.spec.policyTypes ?? ['Ingress', ...(p.spec.egress ? ['Egress'] : [])];
}
