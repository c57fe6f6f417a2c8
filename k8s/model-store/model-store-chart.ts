/**
 * The FSx for Lustre file system as three static PersistentVolumes and their claims:
 * - read-only (`models-ro`, project namespace): what the vLLM decode pods, the render server and the
 *   benchmark client (tokenizer) mount. The PV itself is read-only (CSI `readOnly`), so no pod can
 *   damage the weights even if its volumeMount forgets `readOnly`.
 * - read-write over the whole file system (`models-rw`): in the loader namespace only, so only the
 *   loader can write the weights (a claim is namespaced; no pod of the project namespace can name it).
 * - read-write over the `results` directory only (`results-rw`, project namespace): the benchmark
 *   client's durable result copies. Its PV mounts the Lustre fileset `<mountName>/results`
 *   (`mount -t lustre <dns>@tcp:/<mountName>/results`, the FSx "mount a specific fileset" form; the
 *   FSx CSI driver passes volumeAttributes.mountname into that source), so the weights are not
 *   even visible through it. The loader creates the directory before anything mounts it.
 *
 * Static provisioning: the driver never creates or deletes a file system (the CDK model-store stack
 * owns its lifecycle), so each PV is pre-bound to its claim (`claimRef` + `volumeName`,
 * `storageClassName: ""`) and `Retain`ed by Kubernetes; `cdk destroy` deletes the file system itself.
 *
 * The same chart is applied by the CDK app (FSx values are CloudFormation tokens, resolved at deploy)
 * and rendered by `npm run render` (named placeholders).
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { BenchConfig } from '../../lib/config';
import { FSX_MIN_CAPACITY_GIB } from '../../lib/config/checks/platform';
import { PART_OF_LABEL } from '../labels';
import { sharedNames } from '../names';
import type { ChartDeps } from '../registry';

/** CSI driver name of the FSx for Lustre CSI driver (EKS add-on aws-fsx-csi-driver). */
export const FSX_CSI_DRIVER = 'fsx.csi.aws.com';

/** Props: the config and the three FSx values the PVs need. */
export interface ModelStoreChartProps extends ChartDeps {
  readonly config: BenchConfig;
}

/**
 * What each claim requests: the smallest file system the config accepts, not its actual capacity.
 * A claim without a StorageClass cannot be resized (the API server refuses a larger request:
 * "only dynamically provisioned pvc can be resized"), so a request that followed
 * modelStore.storageCapacityGiB would fail every stack update after a capacity increase. Binding
 * only needs request <= the PV's capacity, and the PV's capacity (mutable) carries the real size.
 */
export const CLAIM_REQUEST = `${FSX_MIN_CAPACITY_GIB}Gi`;

/** Labels of the model-store objects (none of them selects or is selected by a pod). */
export const MODEL_STORE_LABELS = { ...PART_OF_LABEL, 'app.kubernetes.io/component': 'model-store' } as const;

export class ModelStoreChart extends Chart {
  constructor(scope: Construct, id: string, props: ModelStoreChartProps) {
    super(scope, id);
    const c = props.config;
    const n = sharedNames(c);
    const storage = k8s.Quantity.fromString(`${c.modelStore.storageCapacityGiB}Gi`);

    const pair = (kind: 'ro' | 'rw' | 'results') => {
      const readOnly = kind === 'ro';
      const pvName = { ro: n.modelsPvReadOnly, rw: n.modelsPvReadWrite, results: n.resultsPv }[kind];
      const claimName = { ro: n.modelsPvcReadOnly, rw: n.modelsPvcReadWrite, results: n.resultsPvc }[kind];
      const namespace = kind === 'rw' ? n.loaderNamespace : n.namespace;
      const mountname = kind === 'results' ? `${props.mountName}/${n.resultsSubdir}` : props.mountName;
      const accessModes = [readOnly ? 'ReadOnlyMany' : 'ReadWriteMany'];
      new k8s.KubePersistentVolume(this, `pv-${kind}`, {
        metadata: { name: pvName, labels: { ...MODEL_STORE_LABELS } },
        spec: {
          capacity: { storage },
          volumeMode: 'Filesystem',
          accessModes,
          // Static PV: Kubernetes must never try to delete the file system (the stack owns it).
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: '',
          // Only this claim may bind this volume.
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: claimName },
          // flock: POSIX locks across clients (the loader's Hub client locks files it writes).
          mountOptions: ['flock'],
          csi: {
            driver: FSX_CSI_DRIVER,
            volumeHandle: props.fileSystemId,
            readOnly,
            volumeAttributes: { dnsname: props.dnsName, mountname },
          },
        },
      });
      new k8s.KubePersistentVolumeClaim(this, `pvc-${kind}`, {
        metadata: { name: claimName, namespace, labels: { ...MODEL_STORE_LABELS } },
        spec: {
          accessModes,
          storageClassName: '',
          volumeName: pvName,
          resources: { requests: { storage: k8s.Quantity.fromString(CLAIM_REQUEST) } },
        },
      });
    };
    pair('ro');
    pair('rw');
    pair('results');
  }
}
