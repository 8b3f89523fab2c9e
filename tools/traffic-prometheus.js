#!/usr/bin/env node
/*
 * A real Prometheus loaded with recorded traffic: turns an OpenMetrics file
 * into TSDB blocks with `promtool tsdb create-blocks-from openmetrics` and
 * starts Debian's `prometheus` on a free loopback port (tools/install.sh
 * installs both). Prints `PROMETHEUS_URL=http://127.0.0.1:<port>` once it is
 * ready, and runs until stopped (SIGINT/SIGTERM), then removes its data.
 *
 *   node tools/traffic-prometheus.js                       # the recorded Artemis traffic
 *   node tools/traffic-prometheus.js --openmetrics f.om    # another recording
 *   node tools/traffic-prometheus.js --end now             # shift the recording to end now
 *   node tools/traffic-prometheus.js --port 29090 --data /tmp/prom
 *
 * Without --openmetrics, examples/artemis-traffic/generate.ts writes the
 * Artemis recording first (it is generated, not committed: 7 MB).
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function arg(name) {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function need(binary) {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && fs.existsSync(path.join(dir, binary))) return;
  console.error(`traffic-prometheus: ${binary} is not installed; run tools/install.sh (Debian's prometheus package)`);
  process.exit(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Rewrites sample timestamps so the latest is `end` (seconds), keeping their spacing. */
function shift(text, endSeconds) {
  const sample = /^([^#\s][^ ]*(?:\{.*\})?) (\S+) (\d+(?:\.\d+)?)$/;
  let latest = 0;
  for (const line of text.split('\n')) {
    const m = sample.exec(line);
    if (m) latest = Math.max(latest, Number(m[3]));
  }
  const delta = Math.round(endSeconds - latest);
  return text
    .split('\n')
    .map(line => {
      const m = sample.exec(line);
      return m ? `${m[1]} ${m[2]} ${Number(m[3]) + delta}` : line;
    })
    .join('\n');
}

async function waitReady(url, child) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error('prometheus did not become ready in 30 s');
}

async function main() {
  need('prometheus');
  need('promtool');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-prometheus-'));
  const dataDir = arg('--data') ?? path.join(work, 'data');
  let source = arg('--openmetrics');
  if (!source) {
    // Generated into this run's own folder (a shared file rewritten by a parallel run would crash promtool).
    source = path.join(work, 'istio-metrics.om');
    execFileSync(
      process.execPath,
      ['-r', '@backstage/cli/config/nodeTransform.cjs', path.join(root, 'examples/artemis-traffic/generate.ts'), '--metrics-to', source],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  const end = arg('--end');
  if (end) {
    const endSeconds = (end === 'now' ? Date.now() : Date.parse(end)) / 1000;
    if (Number.isNaN(endSeconds)) throw new Error(`--end ${end}: write now or an ISO time`);
    const shifted = path.join(work, 'recording.om');
    fs.writeFileSync(shifted, shift(fs.readFileSync(source, 'utf8'), Math.floor(endSeconds)));
    source = shifted;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', source, dataDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const config = path.join(work, 'prometheus.yml');
  fs.writeFileSync(config, 'global:\n  evaluation_interval: 1m\nscrape_configs: []\n');
  const port = Number(arg('--port') ?? (await freePort()));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  child.on('exit', () => {
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(0);
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('exit', stop);
  await waitReady(url, child);
  console.log(`PROMETHEUS_URL=${url}`);
}

/**
 * For tests: runs this script as a child process and resolves with its URL
 * and a stop function (which ends Prometheus and removes its data).
 */
function startTrafficPrometheus(args = []) {
  const child = spawn(process.execPath, [__filename, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', d => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', d => {
      out += d;
      const m = /PROMETHEUS_URL=(\S+)/.exec(out);
      if (m) {
        const stop = () =>
          new Promise(done => {
            if (child.exitCode !== null) return done();
            child.on('exit', () => done());
            return child.kill('SIGTERM');
          });
        resolve({ url: m[1], stop });
      }
    });
    child.on('exit', code => reject(new Error(`tools/traffic-prometheus.js exited with ${code}: ${stderr}`)));
  });
}

module.exports = { startTrafficPrometheus };

if (require.main === module) {
  main().catch(e => {
    console.error(`traffic-prometheus: ${e.message}`);
    process.exit(1);
  });
}
