import fs from 'node:fs';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { Log } from './binaries';
import { pollUntil } from './poll';

export const TESTENV_FIELD_MANAGER = 'cellplane-kube-testenv';

/** Istio's waypoint class; Istio creates it at install, and Cellplane's waypoint Gateways name it. */
export const ISTIO_WAYPOINT_GATEWAY_CLASS = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'istio-waypoint' },
  spec: { controllerName: 'istio.io/mesh-controller', description: 'Istio ambient waypoints' },
};

/** Every CustomResourceDefinition in the *.yaml files below dir (other kinds are skipped). */
export function readCrds(dir: string): V1CustomResourceDefinition[] {
  const crds: V1CustomResourceDefinition[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => Number(a.name > b.name) - Number(a.name < b.name))) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.yaml')) {
        for (const document of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
          if (document.errors.length) throw new Error(`${file}: ${document.errors[0].message}`);
          if (document.toJS()?.kind !== 'CustomResourceDefinition') continue;
          // Typed, not plain: client-node serializes built-in kinds through its
          // models and silently drops keys it does not know in their YAML
          // spelling (x-kubernetes-int-or-string), which the API server then rejects.
          crds.push(loadYaml<V1CustomResourceDefinition>(document.toString()));
        }
      }
    }
  };
  walk(dir);
  return crds;
}

export function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return !!crd.status?.conditions?.some(c => c.type === 'Established' && c.status === 'True');
}

/**
 * Server-side applies the CRDs, waits until each is Established, then creates
 * the `istio-waypoint` GatewayClass. Resolves with the CRD names.
 */
export async function installCrds(kubeconfig: KubeConfig, crdsDir: string, log: Log = () => {}, timeoutMs = 60_000): Promise<string[]> {
  const crds = readCrds(crdsDir);
  const objects = KubernetesObjectApi.makeApiClient(kubeconfig);
  for (const crd of crds) {
    // Sequential on purpose: dozens of parallel large applies only contend on 2 cores.
    await objects.patch(crd as KubernetesObject, undefined, undefined, TESTENV_FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }
  const names = crds.map(c => c.metadata!.name!);
  const extensions = kubeconfig.makeApiClient(ApiextensionsV1Api);
  let pending = names;
  await pollUntil(
    async () => {
      const listed = await extensions.listCustomResourceDefinition();
      pending = names.filter(name => !listed.items.some(c => c.metadata?.name === name && isEstablished(c)));
      return pending.length === 0;
    },
    timeoutMs,
    () => `CRDs not Established after ${timeoutMs / 1000} s: ${pending.join(', ')}`,
  );
  log(`${names.length} CRDs established`);
  await objects.patch(ISTIO_WAYPOINT_GATEWAY_CLASS, undefined, undefined, TESTENV_FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  return names;
}
