import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KUBECONFIG_ENV, UNAVAILABLE_ENV } from '../testing';
import globalSetup from './globalSetup';

describe('the global setup on a machine without Go or built binaries', () => {
  const saved = { ...process.env };
  let emptyCache: string;
  beforeEach(() => {
    emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-no-cache-'));
    process.env.CELLPLANE_KUBE_TESTENV_CACHE = emptyCache;
    process.env.PATH = emptyCache; // no go here
    delete process.env[KUBECONFIG_ENV];
    delete process.env[UNAVAILABLE_ENV];
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    process.env = { ...saved };
    fs.rmSync(emptyCache, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it('skips the Kubernetes tests loudly outside CI', async () => {
    delete process.env.CI;
    await globalSetup();
    expect(process.env[UNAVAILABLE_ENV]).toMatch(/go command failed to start/);
    expect(process.env[KUBECONFIG_ENV]).toBeUndefined();
    expect(jest.mocked(process.stderr.write).mock.calls.join('')).toContain('SKIPPING the Kubernetes integration tests');
  });

  it('fails under CI=true instead of skipping', async () => {
    process.env.CI = 'true';
    await expect(globalSetup()).rejects.toThrow(/cannot build the test API server: the go command failed to start/);
    expect(process.env[UNAVAILABLE_ENV]).toBeUndefined();
  });
});
