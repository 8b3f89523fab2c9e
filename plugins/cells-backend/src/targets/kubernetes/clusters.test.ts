import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { JsonObject, JsonValue } from '@backstage/types';
import { readClusters } from './clusters';

const cluster = (extra: JsonObject = {}): JsonObject => ({
  name: 'prod',
  url: 'https://10.0.0.1:6443',
  authProvider: 'serviceAccount',
  serviceAccountToken: 'secret-token',
  caData: Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64'),
  ...extra,
});
const config = (clusters: JsonValue[], cells?: JsonObject) =>
  new ConfigReader({
    kubernetes: { clusterLocatorMethods: [{ type: 'config', clusters }] },
    ...(cells ? { cells } : {}),
  });

describe('readClusters', () => {
  it('reads the clusters of the Kubernetes plugin config and kubeconfig files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-kubeconfig-'));
    const file = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: {
              server: 'https://127.0.0.1:6443',
              'insecure-skip-tls-verify': true,
            },
          },
        ],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'local', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'local',
      }),
    );
    const clusters = readClusters(
      config([cluster()], {
        clusters: [{ name: 'local', kubeconfigPath: file }],
      }),
    );
    expect([...clusters.keys()]).toEqual(['prod', 'local']);
    const prod = clusters.get('prod')!();
    expect(prod.getCurrentCluster()).toMatchObject({
      server: 'https://10.0.0.1:6443',
      skipTLSVerify: false,
    });
    expect(prod.getCurrentUser()?.token).toBe('secret-token');
    expect(clusters.get('local')!().getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
  });

  it('skips other locator methods', () => {
    const reader = new ConfigReader({
      kubernetes: { clusterLocatorMethods: [{ type: 'catalog' }] },
    });
    expect(readClusters(reader).size).toBe(0);
  });

  it.each([
    [{ authProvider: 'google' }, 'kubernetes.clusterLocatorMethods[0].clusters[0].authProvider: Cellplane applies with its own service account'],
    [{ serviceAccountToken: undefined }, 'kubernetes.clusterLocatorMethods[0].clusters[0].serviceAccountToken: is required'],
    [{ caData: undefined }, 'kubernetes.clusterLocatorMethods[0].clusters[0].caData: is required for an https URL'],
    [{ url: 'ftp://x' }, 'kubernetes.clusterLocatorMethods[0].clusters[0].url: must be'],
    [{ name: undefined }, 'kubernetes.clusterLocatorMethods[0].clusters[0].name:'],
  ])('fails with the key named when a target uses it: %j', (extra, message) => {
    const load = () => readClusters(config([cluster(extra)])).get('prod')!();
    expect(load).toThrow(message);
  });

  it('does not fail on a Kubernetes plugin cluster that Cellplane cannot use until a target names it', () => {
    const clusters = readClusters(config([cluster(), cluster({ name: 'gke', authProvider: 'google' })]));
    expect([...clusters.keys()]).toEqual(['prod', 'gke']);
    expect(() => clusters.get('gke')!()).toThrow('authProvider');
  });

  it('fails on a duplicate name and on an unreadable kubeconfig, naming the key', () => {
    expect(() => readClusters(config([cluster(), cluster()]))).toThrow(
      'kubernetes.clusterLocatorMethods[0].clusters[1].name: the cluster name prod is used twice',
    );
    expect(() =>
      readClusters(
        config([], {
          clusters: [{ name: 'x', kubeconfigPath: '/nonexistent/kubeconfig' }],
        }),
      ),
    ).toThrow('cells.clusters[0].kubeconfigPath: cannot read /nonexistent/kubeconfig');
  });
});
