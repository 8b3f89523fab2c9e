import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildKey, goSourcesDir, pinnedVersions, withBuildLock } from './binaries';

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

describe('withBuildLock: one build at a time', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lets two callers started together build once: the second waits for the first one result', async () => {
    const lock = path.join(dir, 'build.lock');
    let result: string | undefined;
    let builds = 0;
    const work = async () => {
      builds++;
      await new Promise(resolve => setTimeout(resolve, 300));
      result = 'built';
      return result;
    };
    const logs: string[] = [];
    // The second caller's holder is this same (live) process: it must wait, not build.
    const [a, b] = await Promise.all([
      withBuildLock(
        lock,
        () => result,
        work,
        m => logs.push(m),
        20,
      ),
      withBuildLock(
        lock,
        () => result,
        work,
        m => logs.push(m),
        20,
      ),
    ]);
    expect([a, b, builds]).toEqual(['built', 'built', 1]);
    expect(logs).toEqual([`waiting for process ${process.pid}, which is building the test API server`]);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose holder died, and releases the lock when the build fails', async () => {
    const lock = path.join(dir, 'build.lock');
    // A pid that cannot be alive (beyond Linux's pid_max).
    fs.writeFileSync(lock, '99999999');
    await expect(
      withBuildLock(
        lock,
        () => undefined,
        async () => 'built',
        () => {},
        20,
      ),
    ).resolves.toBe('built');
    await expect(
      withBuildLock(
        lock,
        () => undefined,
        async () => {
          throw new Error('go build failed');
        },
        () => {},
        20,
      ),
    ).rejects.toThrow('go build failed');
    expect(fs.existsSync(lock)).toBe(false);
  });
});
