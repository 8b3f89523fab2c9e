/**
 * A real kube-apiserver and etcd, built from their Go modules, with the real
 * Istio, Gateway API and Cilium CRDs, for Cellplane's integration tests.
 *
 * @packageDocumentation
 */
export { cacheDir, cachedBinaries, ensureBinaries, GoUnavailableError, pinnedVersions } from './binaries';
export type { Log, TestEnvBinaries } from './binaries';
export { installCrds, isEstablished, ISTIO_WAYPOINT_GATEWAY_CLASS, readCrds } from './crds';
export { startTestEnvironment } from './environment';
export { startKubeTestEnv, stopKubeTestEnv } from './server';
export type { KubeTestEnvState } from './server';
export { createTestNamespace, describeWithKube, kubeTestsSkipped, portIsClosed, testKubeConfig, uniqueName, KUBECONFIG_ENV, UNAVAILABLE_ENV } from './testing';
export { objectPath, rawRequest, serverSideApply } from './rest';
export type { KubeObjectLike, RawResponse } from './rest';
