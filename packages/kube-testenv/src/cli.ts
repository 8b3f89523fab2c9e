import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, ensureBinaries, pinnedVersions } from './binaries';
import { manualStateFile, readManualState, startTestEnvironment } from './environment';
import { isOurProcess, KubeTestEnvState, stopKubeTestEnv } from './server';

const log = (message: string) => process.stderr.write(`[kube-testenv] ${message}\n`);

function isRunning(state: KubeTestEnvState): boolean {
  return isOurProcess(state.pids.kubeApiserver, state.workDir) && isOurProcess(state.pids.etcd, state.workDir);
}

const commands: Record<string, () => Promise<void>> = {
  async build() {
    const binaries = await ensureBinaries(log);
    process.stdout.write(`${JSON.stringify(binaries, null, 2)}\n`);
  },

  async up() {
    let state = readManualState();
    if (state && isRunning(state)) {
      log(`already running on ${state.server}`);
    } else {
      if (state) await stopKubeTestEnv(state);
      state = await startTestEnvironment({ detached: true, log });
      fs.mkdirSync(path.dirname(manualStateFile()), { recursive: true });
      fs.writeFileSync(manualStateFile(), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      log(`running on ${state.server}; stop it with npm run kube:down`);
    }
    const { kubeconfigPath } = state;
    log(`to use it: export KUBECONFIG=${kubeconfigPath}  (tests reuse it with CELLPLANE_KUBECONFIG=${kubeconfigPath})`);
    process.stdout.write(`${kubeconfigPath}\n`);
  },

  async down() {
    const state = readManualState();
    if (!state) {
      log('nothing to stop');
      return;
    }
    await stopKubeTestEnv(state);
    fs.rmSync(manualStateFile(), { force: true });
    log(`stopped ${state.server} and removed ${state.workDir}`);
  },

  async status() {
    const state = readManualState();
    const running = !!state && isRunning(state);
    process.stdout.write(`${JSON.stringify({ running, ...(running ? state : {}), pinned: pinnedVersions(), cache: cacheDir() }, null, 2)}\n`);
  },
};

const command = commands[process.argv[2] ?? ''];
if (!command) {
  process.stderr.write('usage: cellplane-kube-testenv build | up | down | status\n');
  process.exitCode = 2;
} else {
  command().catch(error => {
    process.stderr.write(`cellplane-kube-testenv ${process.argv[2]}: ${error?.message ?? error}\n`);
    process.exitCode = 1;
  });
}
