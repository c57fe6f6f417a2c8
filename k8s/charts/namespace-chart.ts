/**
 * The project namespace, with Pod Security Admission labels: `baseline` is enforced (no privileged
 * pods, no host namespaces or host paths); `restricted` is audited and warned, which the vLLM, EPP
 * and Envoy pods already satisfy (non-root, no capabilities, RuntimeDefault seccomp).
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { PART_OF_LABEL } from '../labels';
import { sharedNames } from '../names';
import type { WorkloadChartProps } from './common';

export class NamespaceChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id);
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: sharedNames(props.config).namespace,
        labels: {
          ...PART_OF_LABEL,
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
  }
}
