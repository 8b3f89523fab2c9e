import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The Go modules under tools/kube-testenv, each pinned by its go.mod and go.sum. */
const GO_MODULES = ['etcd', 'kube-apiserver', 'crds'] as const;

/** Where each CRD set lives inside its published Go module. */
const CRD_SOURCES = [
  { module: 'istio.io/api', files: ['kubernetes/customresourcedefinitions.gen.yaml'] },
  { module: 'sigs.k8s.io/gateway-api', directory: 'config/crd/standard' },
  { module: 'github.com/cilium/cilium', directory: 'pkg/k8s/apis/cilium.io/client/crds/v2' },
  // Envoy Gateway's policies (cells.gateway.implementation: envoy-gateway); the helm chart's crds folder is plain YAML.
  { module: 'github.com/envoyproxy/gateway', directory: 'charts/gateway-helm/charts/crds/crds/generated' },
];

export interface TestEnvBinaries {
  etcd: string;
  kubeApiserver: string;
  /** Folder of CRD manifests (*.yaml), one sub-folder per source module. */
  crdsDir: string;
  /** The pinned versions, read from the go.mod files. */
  versions: Record<string, string>;
}

export type Log = (message: string) => void;

/** tools/kube-testenv in this repository. */
export function goSourcesDir(): string {
  // eslint-disable-next-line no-restricted-syntax -- this package only runs from its sources inside the repository (never built), so __dirname is this folder
  return path.resolve(__dirname, '../../../tools/kube-testenv');
}

/** Outside git: $CELLPLANE_KUBE_TESTENV_CACHE, else $XDG_CACHE_HOME or ~/.cache, /cellplane/kube-testenv. */
export function cacheDir(): string {
  if (process.env.CELLPLANE_KUBE_TESTENV_CACHE) return process.env.CELLPLANE_KUBE_TESTENV_CACHE;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'cellplane', 'kube-testenv');
}

/** The versions each go.mod pins directly (its require lines, not the indirect ones), by module path. */
export function pinnedVersions(sourcesDir = goSourcesDir()): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of GO_MODULES) {
    let inRequireBlock = false;
    for (const line of fs.readFileSync(path.join(sourcesDir, name, 'go.mod'), 'utf8').split('\n')) {
      const trimmed = line.trim();
      if (trimmed === 'require (') inRequireBlock = true;
      else if (trimmed === ')') inRequireBlock = false;
      const spec = inRequireBlock ? trimmed : trimmed.match(/^require\s+(.*)$/)?.[1];
      const match = spec?.match(/^(\S+)\s+(v\S+)/);
      if (match && !spec!.includes('// indirect')) versions[match[1]] = match[2];
    }
  }
  return versions;
}

/**
 * A key that changes exactly when what gets built changes: the go.mod, go.sum
 * and Go sources of every module. The Go version is left out on purpose, so a
 * machine without Go can still use binaries another build left in the cache.
 */
export function buildKey(sourcesDir = goSourcesDir()): string {
  const hash = createHash('sha256');
  for (const name of GO_MODULES) {
    const dir = path.join(sourcesDir, name);
    for (const file of fs.readdirSync(dir).sort()) {
      if (file === 'go.mod' || file === 'go.sum' || file.endsWith('.go')) {
        hash
          .update(`${name}/${file}\0`)
          .update(fs.readFileSync(path.join(dir, file)))
          .update('\0');
      }
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function binariesAt(dir: string, versions: Record<string, string>): TestEnvBinaries {
  return {
    etcd: path.join(dir, 'etcd'),
    kubeApiserver: path.join(dir, 'kube-apiserver'),
    crdsDir: path.join(dir, 'crds'),
    versions,
  };
}

/** The cached build for the current pins, or undefined when it has not been built. */
export function cachedBinaries(): TestEnvBinaries | undefined {
  const dir = path.join(cacheDir(), buildKey());
  if (!fs.existsSync(path.join(dir, 'complete'))) return undefined;
  return binariesAt(dir, pinnedVersions());
}

/** Why Go cannot build here, or undefined when it can. */
export async function goUnavailableReason(): Promise<string | undefined> {
  try {
    await execFileAsync('go', ['version'], { env: goEnv() });
    return undefined;
  } catch (error) {
    return `the go command failed to start (${(error as Error).message.split('\n')[0]})`;
  }
}

function goEnv(): NodeJS.ProcessEnv {
  // No toolchain download, no go.mod edits: the pins in git are what gets built.
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false', CGO_ENABLED: '0' };
}

async function go(moduleDir: string, args: string[], log: Log): Promise<string> {
  log(`go ${args.join(' ')}  (in ${path.relative(process.cwd(), moduleDir) || '.'})`);
  const { stdout } = await execFileAsync('go', args, {
    cwd: moduleDir,
    env: goEnv(),
    maxBuffer: 64 * 1024 * 1024,
  }).catch(error => {
    throw new Error(`go ${args.join(' ')} failed in ${moduleDir}:\n${error.stderr || error.message}`);
  });
  return stdout;
}

/** Copies the CRD manifests out of the pinned modules in the Go module cache. */
async function collectCrds(sourcesDir: string, target: string, log: Log): Promise<void> {
  const crdModule = path.join(sourcesDir, 'crds');
  for (const source of CRD_SOURCES) {
    const info = JSON.parse(await go(crdModule, ['mod', 'download', '-json', source.module], log));
    if (info.Error || !info.Dir) throw new Error(`cannot download ${source.module}: ${info.Error}`);
    const files =
      source.files ??
      fs
        .readdirSync(path.join(info.Dir, source.directory!))
        .filter((f: string) => f.endsWith('.yaml'))
        .map((f: string) => path.join(source.directory!, f));
    const outDir = path.join(target, source.module.replace(/[/.]/g, '_'));
    fs.mkdirSync(outDir, { recursive: true });
    for (const file of files) {
      fs.copyFileSync(path.join(info.Dir, file), path.join(outDir, path.basename(file)));
    }
  }
}

/** Go is missing or broken, so the binaries cannot be built. */
export class GoUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`cannot build the test API server: ${reason}`);
    this.name = 'GoUnavailableError';
  }
}

/**
 * The etcd and kube-apiserver binaries and CRDs for the pinned versions, built
 * from the Go module proxy into the cache when missing. A build goes to a
 * temporary folder that is renamed into place, so a stopped build leaves
 * nothing half-done and two concurrent builds cannot corrupt each other.
 */
export async function ensureBinaries(log: Log = () => {}): Promise<TestEnvBinaries> {
  const cached = cachedBinaries();
  if (cached) return cached;
  const reason = await goUnavailableReason();
  if (reason) throw new GoUnavailableError(reason);

  const sourcesDir = goSourcesDir();
  const finalDir = path.join(cacheDir(), buildKey(sourcesDir));
  // One build at a time per machine: test runs started together (several
  // packages, several checkouts) wait for the first instead of each compiling
  // Kubernetes (minutes of both cores each).
  return withBuildLock(`${finalDir}.lock`, cachedBinaries, () => build(sourcesDir, finalDir, log), log);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` holding a lock file (created exclusively, holding the pid);
 * while another live process holds it, waits and returns `done()` as soon as
 * that process's result is there. A lock left by a process that died is taken over.
 */
export async function withBuildLock<T>(lockPath: string, done: () => T | undefined, work: () => Promise<T>, log: Log, pollMs = 2000): Promise<T> {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  let told = false;
  let emptySince: number | undefined;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(lockPath, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (fd !== undefined) {
      try {
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        // The holder before us may have finished between our check and the lock.
        return done() ?? (await work());
      } finally {
        fs.rmSync(lockPath, { force: true });
      }
    }
    let text: string;
    try {
      text = fs.readFileSync(lockPath, 'utf8').trim();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw e;
    }
    const holder = Number(text);
    if (text === '' || !Number.isInteger(holder) || holder <= 0) {
      // A lock being written gets its pid at once; one left empty by a crash is taken over after a while.
      emptySince ??= Date.now();
      if (Date.now() - emptySince > 10_000) fs.rmSync(lockPath, { force: true });
      else await new Promise(resolve => setTimeout(resolve, 100));
      continue;
    }
    emptySince = undefined;
    if (!processAlive(holder)) {
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (!told) log(`waiting for process ${holder}, which is building the test API server`);
    told = true;
    await new Promise(resolve => setTimeout(resolve, pollMs));
    const finished = done();
    if (finished) return finished;
  }
}

async function build(sourcesDir: string, finalDir: string, log: Log): Promise<TestEnvBinaries> {
  const versions = pinnedVersions(sourcesDir);
  const workDir = `${finalDir}.building-${process.pid}`;
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const started = Date.now();
  try {
    const kubernetesVersion = versions['k8s.io/kubernetes'];
    const [major, minor] = kubernetesVersion.replace(/^v/, '').split('.');
    // What `kubectl version` and discovery report; upstream sets these at release time.
    const versionFlags = [
      `-X k8s.io/component-base/version.gitVersion=${kubernetesVersion}`,
      `-X k8s.io/component-base/version.gitMajor=${major}`,
      `-X k8s.io/component-base/version.gitMinor=${minor}`,
      '-X k8s.io/component-base/version.gitTreeState=clean',
    ];
    await go(path.join(sourcesDir, 'etcd'), ['build', '-trimpath', '-ldflags=-s -w', '-o', path.join(workDir, 'etcd'), '.'], log);
    await go(
      path.join(sourcesDir, 'kube-apiserver'),
      ['build', '-trimpath', `-ldflags=-s -w ${versionFlags.join(' ')}`, '-o', path.join(workDir, 'kube-apiserver'), '.'],
      log,
    );
    await collectCrds(sourcesDir, path.join(workDir, 'crds'), log);
    fs.writeFileSync(path.join(workDir, 'complete'), `${JSON.stringify(versions, null, 2)}\n`);
    try {
      fs.renameSync(workDir, finalDir);
    } catch (error) {
      // Another process finished the same build first; use its copy.
      if (!fs.existsSync(path.join(finalDir, 'complete'))) throw error;
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  } catch (error) {
    fs.rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  log(`built etcd, kube-apiserver and collected CRDs in ${Math.round((Date.now() - started) / 1000)} s into ${finalDir}`);
  return binariesAt(finalDir, versions);
}
