import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Log, TestEnvBinaries } from './binaries';
import { pollUntil } from './poll';
import { httpsRequest } from './rest';

/** A running etcd + kube-apiserver pair, as written to its state file. */
export interface KubeTestEnvState {
  workDir: string;
  kubeconfigPath: string;
  server: string;
  /** Bearer token of the admin user (group system:masters). */
  token: string;
  caFile: string;
  pids: { etcd: number; kubeApiserver: number };
  versions: Record<string, string>;
}

export interface StartOptions {
  binaries: TestEnvBinaries;
  /** Keep both servers running after this process exits (npm run kube:up). */
  detached?: boolean;
  log?: Log;
  readyTimeoutMs?: number;
}

/** Children of this process, killed when it exits so no test run leaves servers behind. */
const ownChildren = new Map<number, ChildProcess>();
let exitHookInstalled = false;

function killOwnChildrenOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of ownChildren.values()) child.kill('SIGKILL');
  });
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function startProcess(binary: string, args: string[], logFile: string, detached: boolean): ChildProcess {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', out, out], detached });
  fs.closeSync(out);
  if (detached) child.unref();
  else {
    killOwnChildrenOnExit();
    ownChildren.set(child.pid!, child);
    child.once('exit', () => ownChildren.delete(child.pid!));
  }
  return child;
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls check until it holds; fails at once, with the log's tail, if the process exits first. */
async function waitUntilReady(what: string, check: () => Promise<boolean>, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  await pollUntil(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready; ${logFile}:\n${tail(logFile)}`);
      }
      return check().catch(() => false);
    },
    timeoutMs,
    () => `${what} was not ready after ${timeoutMs / 1000} s; ${logFile}:\n${tail(logFile)}`,
  );
}

function writeKubeconfig(file: string, server: string, caFile: string, token: string): void {
  // JSON is valid YAML, and kubeconfig readers accept it.
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'cellplane-testenv', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'cellplane-testenv', context: { cluster: 'cellplane-testenv', user: 'admin' } }],
    'current-context': 'cellplane-testenv',
  };
  fs.writeFileSync(file, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Starts etcd and kube-apiserver on free loopback ports with a fresh data dir,
 * static-token admin, RBAC authorization and service-account signing keys,
 * and resolves once /readyz says ok. On failure both are stopped again.
 */
export async function startKubeTestEnv(options: StartOptions): Promise<KubeTestEnvState> {
  const { binaries, detached = false, log = () => {}, readyTimeoutMs = 120_000 } = options;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-kube-'));
  const children: ChildProcess[] = [];
  try {
    const [clientPort, peerPort, apiPort] = await distinctFreePorts(3);

    const etcdLog = path.join(workDir, 'etcd.log');
    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = startProcess(
      binaries.etcd,
      [
        '--name=testenv',
        `--data-dir=${path.join(workDir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=testenv=${peerUrl}`,
        // Throwaway data: durability costs time and buys nothing here.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      etcdLog,
      detached,
    );
    children.push(etcd);
    await waitUntilReady('etcd', async () => (await (await fetch(`${etcdUrl}/health`)).json()).health === 'true', etcd, etcdLog, readyTimeoutMs);
    log(`etcd ready on ${etcdUrl}`);

    const token = randomBytes(24).toString('hex');
    const tokenFile = path.join(workDir, 'tokens.csv');
    fs.writeFileSync(tokenFile, `${token},admin,admin-uid,system:masters\n`, { mode: 0o600 });
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saKey = path.join(workDir, 'service-account.key');
    const saPub = path.join(workDir, 'service-account.pub');
    fs.writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));

    const certDir = path.join(workDir, 'pki');
    const caFile = path.join(certDir, 'apiserver.crt');
    const apiLog = path.join(workDir, 'kube-apiserver.log');
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeApiserver = startProcess(
      binaries.kubeApiserver,
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        // The endpoint reconciler refuses a loopback address; nothing routes to
        // the in-cluster `kubernetes` Service here anyway.
        '--endpoint-reconciler-type=none',
        `--secure-port=${apiPort}`,
        // Self-signed serving certificate for 127.0.0.1; the file holds the CA too.
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokenFile}`,
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.96.0.0/16',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
      ],
      apiLog,
      detached,
    );
    children.push(kubeApiserver);
    await waitUntilReady(
      'kube-apiserver',
      async () =>
        fs.existsSync(caFile) &&
        (await httpsRequest(`${server}/readyz`, { ca: fs.readFileSync(caFile), headers: { Authorization: `Bearer ${token}` }, timeout: 5000 })).status === 200,
      kubeApiserver,
      apiLog,
      readyTimeoutMs,
    );
    log(`kube-apiserver ready on ${server}`);

    const kubeconfigPath = path.join(workDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, server, caFile, token);
    const state: KubeTestEnvState = {
      workDir,
      kubeconfigPath,
      server,
      token,
      caFile,
      pids: { etcd: etcd.pid!, kubeApiserver: kubeApiserver.pid! },
      versions: binaries.versions,
    };
    fs.writeFileSync(path.join(workDir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    return state;
  } catch (error) {
    for (const child of children.reverse()) await stopProcess(child.pid!, workDir);
    fs.rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freeLoopbackPort());
  return [...ports];
}

/** Whether pid is a live (not zombie) process whose command line mentions marker. */
export function isOurProcess(pid: number, marker: string): boolean {
  try {
    const status = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(status)) return false;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
async function stopProcess(pid: number, marker: string, graceMs = 15_000): Promise<void> {
  if (!isOurProcess(pid, marker)) return;
  const child = ownChildren.get(pid);
  const exited = child ? new Promise(r => child.once('exit', r)) : undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isOurProcess(pid, marker)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise(r => setTimeout(r, 100));
  }
  while (isOurProcess(pid, marker)) await new Promise(r => setTimeout(r, 50));
  if (exited) await exited;
}

/** Stops kube-apiserver, then etcd, and removes the data dir. */
export async function stopKubeTestEnv(state: KubeTestEnvState): Promise<void> {
  await stopProcess(state.pids.kubeApiserver, state.workDir);
  await stopProcess(state.pids.etcd, state.workDir);
  fs.rmSync(state.workDir, { recursive: true, force: true });
}
