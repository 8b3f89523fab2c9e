#!/usr/bin/env node
// Builds the frontend (packages/app) and starts the real backend, which serves
// the built app through app-backend: the whole portal on one port.
//
//   node tools/portal.mjs [--port 7007] [--no-build] [--kube] [--traffic] [--config FILE ...]
//
// Each --config FILE is read after app-config.yaml (later files win), e.g.
// a file that points the development environment at a cluster. --kube starts
// (or reuses) the test API server of packages/kube-testenv and points the
// development environment at it (`npm run portal:kube`). --traffic starts a
// real Prometheus with the recorded Artemis traffic and the portal on a copy
// of Artemis with Kennedy in audit (`npm run portal:traffic`, tools/traffic-demo.mjs).
//
// Also imported by tests/e2e to start the same portal on a free port.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

/** Builds packages/app into packages/app/dist (rspack, production mode). */
export function buildApp({ stdio = 'inherit' } = {}) {
  const started = Date.now();
  const res = spawnSync(process.execPath, [require.resolve('@backstage/cli/bin/backstage-cli'), 'package', 'build'], {
    cwd: path.join(root, 'packages/app'),
    stdio,
    encoding: 'utf8',
  });
  if (res.status !== 0) {
    throw new Error(`app build failed (exit ${res.status})\n${res.stdout ?? ''}${res.stderr ?? ''}`);
  }
  return Date.now() - started;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the backend from source (as `backstage-cli package start` does, but
 * without its file watcher) with app-config.yaml plus a port override.
 * Resolves once the backend reports ready; `stop()` ends it.
 */
export async function startPortal({ port = 7007, stdio = 'pipe', readyTimeoutMs = 120_000, extraConfig = [] } = {}) {
  const url = `http://localhost:${port}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-portal-'));
  const override = path.join(tmp, 'app-config.port.yaml');
  fs.writeFileSync(
    override,
    ['app:', `  baseUrl: ${url}`, 'backend:', `  baseUrl: ${url}`, '  listen:', `    port: ${port}`, '  cors:', `    origin: ${url}`, ''].join('\n'),
  );
  const configArgs = ['--config', path.join(root, 'app-config.yaml'), '--config', override, ...extraConfig.flatMap(c => ['--config', c])];
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      // OpenTelemetry's Prometheus exporter: the backend's metrics at :9464/metrics (docs/scale.md).
      '--require',
      './src/instrumentation.js',
      'src/index.ts',
      ...configArgs,
    ],
    {
      cwd: path.join(root, 'packages/backend'),
      // development: the guest sign-in provider refuses to run otherwise
      env: { ...process.env, NODE_ENV: 'development', FORCE_COLOR: '0' },
      stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', d => (log += d));
  child.stderr?.on('data', d => (log += d));
  const exited = new Promise(resolve => child.once('exit', resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`backend exited with ${child.exitCode}\n${log}`);
    }
    try {
      const res = await fetch(`${url}/.backstage/health/v1/readiness`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`backend not ready after ${readyTimeoutMs} ms\n${log}`);
    }
    await new Promise(r => setTimeout(r, 500));
  }
  return { url, child, stop, logs: () => log };
}

const kubeTestEnvBin = path.join(root, 'packages/kube-testenv/bin/cellplane-kube-testenv');

function kubeTestEnv(command, env) {
  const res = spawnSync(process.execPath, [kubeTestEnvBin, command], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`cellplane-kube-testenv ${command} failed (exit ${res.status})`);
  return res.stdout;
}

/**
 * Starts the test API server of packages/kube-testenv for manual use (builds
 * it on first use; reuses one that runs already) and writes a config file
 * whose development environment targets it. `stop()` stops it only if this
 * call started it. `stateDir` keeps a server apart from `npm run kube:up`'s.
 */
export function startKubePortalConfig({ dir, stateDir } = {}) {
  const env = stateDir ? { CELLPLANE_KUBE_TESTENV_STATE_DIR: stateDir } : {};
  const wasRunning = JSON.parse(kubeTestEnv('status', env)).running;
  const kubeconfigPath = kubeTestEnv('up', env).trim().split('\n').pop();
  const configPath = path.join(dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-kube-')), 'app-config.kube.yaml');
  fs.writeFileSync(
    configPath,
    [
      '# Written by tools/portal.mjs --kube: the development environment on the test API server.',
      'cells:',
      '  environments:',
      '    - name: development',
      '      target: { type: kubernetes, cluster: kube-testenv }',
      '  clusters:',
      `    - { name: kube-testenv, kubeconfigPath: ${JSON.stringify(kubeconfigPath)} }`,
      '',
    ].join('\n'),
  );
  return {
    configPath,
    kubeconfigPath,
    stop: () => {
      if (!wasRunning) kubeTestEnv('down', env);
    },
  };
}

/** Calls `fn` every second until it returns something truthy (tests: what the portal does asynchronously). */
export async function waitFor(what, fn, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

/** A Backstage token for the guest of the local portal, for API calls from tests. */
export async function guestToken(url) {
  const res = await fetch(`${url}/api/auth/guest/refresh`, { headers: { 'X-Requested-With': 'XMLHttpRequest' } });
  if (!res.ok) throw new Error(`guest sign-in at ${url}: ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const portArg = args.indexOf('--port');
  const port = Number(portArg >= 0 ? args[portArg + 1] : process.env.PORT ?? 7007);
  if (!args.includes('--no-build')) {
    console.log('Building the frontend (packages/app) ...');
    buildApp();
  }
  const extraConfig = args.flatMap((a, i) =>
    a === '--config' ? [path.resolve(process.env.CELLPLANE_CALLER_CWD ?? process.env.INIT_CWD ?? process.cwd(), args[i + 1] ?? '')] : [],
  );
  for (const file of extraConfig) {
    if (!fs.existsSync(file)) {
      console.error(`--config ${file}: no such file`);
      process.exit(2);
    }
  }
  let kube;
  if (args.includes('--kube')) {
    console.log('Starting the test Kubernetes API server (packages/kube-testenv; the first start builds it, ~4 min) ...');
    kube = startKubePortalConfig();
    extraConfig.unshift(kube.configPath);
  }
  let traffic;
  if (args.includes('--traffic')) {
    console.log('Starting Prometheus with the recorded Artemis traffic (tools/traffic-prometheus.js) ...');
    const { startTrafficDemo } = await import('./traffic-demo.mjs');
    traffic = await startTrafficDemo();
    extraConfig.unshift(traffic.configPath);
  }
  console.log(`Starting the backend on port ${port} ...`);
  const portal = await startPortal({ port, stdio: 'inherit', extraConfig }).catch(async e => {
    await traffic?.stop();
    throw e;
  });
  console.log(`\nCellplane portal: ${portal.url}  (sign in as guest; Ctrl-C to stop)\n`);
  if (kube) console.log(`Cells of the development environment go to the test API server: export KUBECONFIG=${kube.kubeconfigPath}\n`);
  if (traffic) {
    console.log(`Observed traffic: ${portal.url}/cells?traffic=both from Prometheus at ${traffic.prometheusUrl}`);
    console.log(`The catalog (Kennedy in audit; the templates edit it): ${traffic.catalogDir}\n`);
  }
  const shutdown = async () => {
    await portal.stop();
    kube?.stop();
    await traffic?.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  portal.child.once('exit', async code => {
    kube?.stop();
    await traffic?.stop();
    process.exit(code ?? 1);
  });
}
