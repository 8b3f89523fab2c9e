import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildKey, goSourcesDir, pinnedVersions } from './binaries';

describe('the pins of tools/kube-testenv', () => {
  let copy: string;
  beforeEach(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-pins-'));
    fs.cpSync(goSourcesDir(), copy, { recursive: true });
  });
  afterEach(() => fs.rmSync(copy, { recursive: true, force: true }));

  it('are the direct requires of each go.mod, never the indirect ones', () => {
    const versions = pinnedVersions(copy);
    expect(versions).toMatchObject({
      'k8s.io/kubernetes': 'v1.37.2',
      'go.etcd.io/etcd/server/v3': expect.stringMatching(/^v3\.6\./),
      'istio.io/api': expect.stringMatching(/^v1\./),
      'sigs.k8s.io/gateway-api': expect.stringMatching(/^v1\./),
      'github.com/cilium/cilium': expect.stringMatching(/^v1\./),
      'github.com/envoyproxy/gateway': expect.stringMatching(/^v1\./),
    });
    // etcd 3.7 is what k8s.io/kubernetes pulls in indirectly; the etcd we run is the 3.6 pin.
    expect(versions['go.etcd.io/etcd/client/v3']).toBeUndefined();
  });

  it('key the cache: a changed go.mod, go.sum or main.go rebuilds, other files do not', () => {
    const key = buildKey(copy);
    expect(buildKey(copy)).toBe(key);
    fs.appendFileSync(path.join(copy, 'README.md'), '\nmore words\n');
    expect(buildKey(copy)).toBe(key);
    for (const file of ['etcd/go.mod', 'kube-apiserver/go.sum', 'kube-apiserver/main.go', 'crds/go.mod']) {
      const original = fs.readFileSync(path.join(copy, file));
      fs.appendFileSync(path.join(copy, file), '\n');
      expect([file, buildKey(copy) === key]).toEqual([file, false]);
      fs.writeFileSync(path.join(copy, file), original);
    }
    expect(buildKey(copy)).toBe(key);
  });
});
