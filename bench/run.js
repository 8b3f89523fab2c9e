#!/usr/bin/env node
/*
 * `npm run bench`: runs each benchmark size in its own process (clean peak
 * memory) and prints a Markdown table to paste into bench/README.md.
 * Measured, not asserted: nothing here fails on a slow machine.
 */
const { execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
function runTs(file, args) {
  const out = execFileSync(process.execPath, ['-r', '@backstage/cli/config/nodeTransform.cjs', path.join(__dirname, file), ...args.map(String)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop());
}

const only = process.argv[2];
console.log(
  `Machine: ${os.cpus().length} x ${os.cpus()[0].model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${
    process.version
  }, ${os.platform()} ${os.release()}\n`,
);

if (!only || only === 'compile') {
  console.log('## Compiler (catalog -> model -> validated objects -> YAML)\n');
  console.log('| components | cells | objects | model ms | compile+validate ms | YAML ms | total ms | peak RSS MiB |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of [100, 1000, 10000]) {
    const r = runTs('compile.bench.ts', [size]);
    console.log(
      `| ${r.components} | ${r.cells} | ${r.objects} | ${r.modelMs.toFixed(0)} | ${r.compileAndValidateMs.toFixed(0)} | ${r.yamlMs.toFixed(
        0,
      )} | ${r.totalMs.toFixed(0)} | ${r.peakRssMiB} |`,
    );
  }
  console.log('');
}

if ((!only || only === 'analyze') && require('node:fs').existsSync(path.join(__dirname, 'analyze.bench.ts'))) {
  console.log('## Analyzer\n');
  const r = runTs('analyze.bench.ts', []);
  console.log(r.markdown);
  console.log('\n`verify` of a synthetic catalog (compile, load, check):\n');
  console.log('| components | cells | requests checked | verify ms | violations | peak RSS MiB |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const size of [100, 1000]) console.log(runTs('analyze.bench.ts', ['verify', size]).markdown);
  console.log('');
}

if (!only || only === 'egress') {
  // Issue 20 item 8: egress on every tenth component (bench/synthetic.ts), a few hundred distinct hosts.
  console.log('## Egress (every tenth component declares two external hosts, every twentieth a network)\n');
  console.log(
    '| components | cells | objects (egress namespace) | hosts, networks | model ms | compile+validate ms | YAML ms | total ms (CPU ms) | peak RSS MiB |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of [1000, 10000]) {
    const r = runTs('compile.bench.ts', [size, 'egress']);
    console.log(
      `| ${r.components} | ${r.cells} | ${r.objects} (${r.egressObjects}) | ${r.egressHosts}, ${r.egressCidrs} | ${r.modelMs.toFixed(
        0,
      )} | ${r.compileAndValidateMs.toFixed(0)} | ${r.yamlMs.toFixed(0)} | ${r.totalMs.toFixed(0)} (${r.totalCpuMs.toFixed(0)}) | ${r.peakRssMiB} |`,
    );
  }
  console.log('\n`verify` with egress:\n');
  console.log('| components | cells | hosts, networks | requests checked | verify ms (CPU ms) | violations | peak RSS MiB |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of [100, 1000]) console.log(runTs('analyze.bench.ts', ['verify', size, 'egress']).markdown);
  console.log('');
}

if (!only || only === 'traffic') {
  console.log('## Observed traffic (1,000,000 observations over 7 days: merge into edges, classify every edge and grant)\n');
  console.log(
    '| components | grants | observations (calls) | edges | merge ms (CPU ms) | grant index ms (CPU ms) | classify ms (CPU ms) | total ms (CPU ms) | peak RSS MiB |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of [5000]) {
    const r = runTs('traffic.bench.ts', [size, 1000000]);
    const p = x => `${x.ms.toFixed(0)} (${x.cpuMs.toFixed(0)})`;
    console.log(
      `| ${r.components} | ${r.grants} | ${r.observations} (${r.calls}) | ${r.edges} | ${p(r.merge)} | ${p(r.grantIndex)} | ${p(r.classify)} | ${p(
        r.total,
      )} | ${r.peakRssMiB} |`,
    );
  }
  console.log('');
}

if (!only || only === 'backend') {
  console.log('## Cells backend (catalog -> GitOps folder; REST API under load)\n');
  console.log(
    '| components | cells | first run ms (files) | steady incremental ms (files) | steady full ms (files) | one entity changed ms (files) | first GET topology ms (MB) | topology after one change ms | GET topology p50/p95/p99 ms | GET topology gzip p50/p95/p99 ms | GET cells p50/p95/p99 ms | peak RSS MiB |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of [180, 10000]) {
    const r = runTs('backend.bench.ts', [size]);
    const f = p => `${p.ms.toFixed(0)} (${p.filesWritten})`;
    const l = p => `${Math.round(p.p50)}/${Math.round(p.p95)}/${Math.round(p.p99)} (${p.requests} req, ${p.non2xx} non-2xx)`;
    const t = r.load.topology;
    console.log(
      `| ${r.components} | ${r.cells} | ${f(r.reconcile.first)} | ${f(r.reconcile.steadyIncremental)} | ${f(r.reconcile.steadyFull)} | ${f(
        r.reconcile.oneChange,
      )} | ${t.firstMs.toFixed(0)} (${(t.firstBytes / 2 ** 20).toFixed(1)}) | ${r.reconcile.topology.afterChangeMs.toFixed(0)} | ${l(t)} | ${l(
        r.load.topologyGzip,
      )} | ${l(r.load.cells)} | ${r.peakRssMiB} |`,
    );
  }
  console.log('');
}

if (!only || only === 'workers') {
  // Issue 22 item 1: the event loop while the cold topology, a cell's compliance and a blast radius run.
  console.log('## The event loop during heavy analysis (cold topology + compliance + blast radius at once; GET /cells every 20 ms)\n');
  console.log(
    '| components | cells | workers | topology ms | compliance ms | blast radius ms | event-loop lag max ms | GET /cells p50/p95/max ms (requests) | peak RSS MiB |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of [1000, 5000]) {
    for (const workers of [0, 1, 2]) {
      const r = runTs('workers.bench.ts', [size, workers]);
      const h = r.heavy;
      const l = r.listCellsMs;
      console.log(
        `| ${r.components} | ${r.cells} | ${r.workers} | ${h.topologyMs} | ${h.complianceMs} | ${h.blastRadiusMs} | ${r.eventLoopLagMs.timerMax} | ${l.p50}/${l.p95}/${l.max} (${l.requests}) | ${r.peakRssMiB} |`,
      );
    }
  }
  console.log('\nDuring the first reconcile pass (into a GitOps folder):\n');
  console.log('| components | cells | workers | pass ms | event-loop lag max ms | GET /cells p50/p95/max ms (requests) | peak RSS MiB |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const workers of [0, 1]) {
    const r = runTs('workers.bench.ts', [5000, workers, 'pass']);
    const l = r.listCellsMs;
    console.log(
      `| ${r.components} | ${r.cells} | ${r.workers} | ${r.heavy.passMs} | ${r.eventLoopLagMs.timerMax} | ${l.p50}/${l.p95}/${l.max} (${l.requests}) | ${r.peakRssMiB} |`,
    );
  }
  console.log('');
}

if (!only || only === 'api') {
  console.log('## Cells API, one request at a time (Artemis catalog)\n');
  const r = runTs('api.bench.ts', []);
  console.log('| route | median ms |');
  console.log('|---|---:|');
  for (const [route, ms] of Object.entries(r.medianMs)) console.log(`| ${route} | ${ms.toFixed(1)} |`);
  console.log('');
}

if (!only || only === 'kube') {
  console.log('## Cells backend on a Kubernetes API server (kube-testenv: real kube-apiserver + etcd on this machine)\n');
  console.log(
    '| cells | components | objects | first pass s (requests) | steady full pass ms | steady writes | steady requests | hand edit to watch event ms | hand edit to drifted ms | peak RSS MiB |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of [2000, 10000]) {
    const r = runTs('kube.bench.ts', [size]);
    const req = q =>
      Object.entries(q)
        .map(([m, n]) => `${m} ${n}`)
        .join(', ') || '0';
    console.log(
      `| ${r.cells} | ${r.components} | ${r.objects} | ${(r.first.ms / 1000).toFixed(1)} (${req(r.first.requests)}) | ${r.steady.ms.toFixed(0)} | ${
        r.steady.writes
      } | ${req(r.steady.requests)} | ${r.watchEventMs} | ${r.driftedMs} | ${r.peakRssMiB} |`,
    );
  }
  console.log('');
}

if (!only || only === 'graph') {
  // The cells page in headless Chromium against the real portal (builds the app, starts a portal per size).
  console.log('## Cells page (headless Chromium)\n');
  console.log(
    '| components | cells | layout | first visit ms | repeat visit ms (request / topology / graph / layout / render) | nodes, edges in the DOM | pan fps (browser fps, p95 frame ms) |',
  );
  console.log('|---:|---:|---|---:|---|---:|---:|');
  const out = execFileSync(process.execPath, [path.join(__dirname, 'graph.bench.mjs'), ...process.argv.slice(3)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (const line of out.split('\n').filter(l => l.startsWith('{'))) {
    const r = JSON.parse(line);
    const p = r.repeatVisitPhases;
    console.log(
      `| ${r.components} | ${r.cells} | ${r.layoutMode}, ${r.layout} | ${r.firstVisitMs} | ${r.repeatVisitMs} (${p.toRequestMs} / ${p.topologyMs} / ${
        p.buildGraphMs
      } / ${p.layoutMs} / ${p.renderMs}) | ${r.nodesInDom}, ${r.edgesInDom} | ${r.fps.toFixed(0)} (${r.browserFps.toFixed(0)}, ${r.p95FrameMs}) |`,
    );
  }
  console.log('');
}
