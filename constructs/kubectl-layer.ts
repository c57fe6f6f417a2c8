/**
 * The kubectl/helm Lambda layer for a Kubernetes version. lib/config/tables/kubectl-layers.ts maps
 * version -> npm package (what the config validates against); this maps package -> layer class.
 * A test proves every table entry has a class here, so a version the config accepts always synthesizes.
 */
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { KUBECTL_LAYER_PACKAGES } from '../lib/config/tables/kubectl-layers';

type LayerClass = new (scope: Construct, id: string) => lambda.LayerVersion;

/** npm package of a kubectl layer -> its construct class. */
export const KUBECTL_LAYER_CLASSES: Readonly<Record<string, LayerClass>> = {
  '@aws-cdk/lambda-layer-kubectl-v35': KubectlV35Layer,
  '@aws-cdk/lambda-layer-kubectl-v36': KubectlV36Layer,
};

/** Creates the kubectl layer matching `kubernetesVersion`; throws for a version without one. */
export function kubectlLayerFor(scope: Construct, id: string, kubernetesVersion: string): lambda.LayerVersion {
  const pkg = KUBECTL_LAYER_PACKAGES[kubernetesVersion];
  const layer = pkg ? KUBECTL_LAYER_CLASSES[pkg] : undefined;
  if (!layer) {
    throw new Error(`No kubectl layer for Kubernetes ${kubernetesVersion}; supported: ${Object.keys(KUBECTL_LAYER_PACKAGES).join(', ')}`);
  }
  return new layer(scope, id);
}
