#!/usr/bin/env node
/*
 * The cells page at size, in headless Chromium against the real portal
 * (built app, real backend): the time from navigation to the first drawn
 * graph, and frames per second while panning it, at 18 components (Artemis),
 * and at 1,000 and 5,000 (examples/synthetic, 10 components per cell).
 *
 *   node bench/graph.bench.mjs [--sizes 18,1000,5000] [--no-build] [--shots DIR]
 *   node bench/graph.bench.mjs --url http://localhost:7007 --sizes 5000 [--backend-pid PID]   (a running portal)
 *
 * Each size starts its own portal on a free port and waits until the cells
 * backend reports every cell in sync (the catalog's ingestion is not
 * measured). Prints one JSON line per size; `npm run bench graph` makes the
 * table. Measured, not asserted.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { buildApp, freePort, guestToken, root, startPortal, waitFor } from '../tools/portal.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = arg('--sizes', '18,1000,5000').split(',').map(Number);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = arg('--shots', fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-graph-bench-')));
const log = message => process.stderr.write(`[graph bench] ${message}\n`);
// Ingesting 5,000 components took the portal's backend past Node's default 4 GiB heap in 2 of 4 runs
// (in the reconciler's passes, before the page is opened): give the portals this run starts room.
process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, '--max-old-space-size=6144'].filter(Boolean).join(' ');

/** A config for this size: Artemis (the default catalog) or a synthetic catalog; the GitOps folder in a temp dir. */
function configFor(components, dir) {
  if (components === 18) {
    const file = path.join(dir, 'app-config.bench.yaml');
    fs.writeFileSync(
      file,
      `cells:\n  environments:\n    - name: development\n      target: { type: directory, path: ${JSON.stringify(path.join(dir, 'gitops'))} }\n`,
    );
    return { file, cells: 5 };
  }
  const res = spawnSync(
    process.execPath,
    [
      '-r',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(root, 'examples/synthetic/generate.ts'),
      '--cells',
      String(components / 10),
      '--out',
      dir,
    ],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (res.status !== 0) throw new Error(`examples/synthetic/generate.ts failed (exit ${res.status})`);
  return { file: res.stdout.trim().split('\n').pop(), cells: components / 10 };
}

/** True once xyflow has measured and shown at least one node (it hides nodes until it knows their size). */
function graphDrawn() {
  const nodes = document.querySelectorAll('.react-flow__node');
  if (nodes.length === 0) return false;
  return [...nodes].some(n => getComputedStyle(n).visibility !== 'hidden');
}

/**
 * From a light page (the templates list; the catalog home lists every
 * component and keeps the browser's connections busy), clicks Cells in the
 * sidebar and measures until the graph is drawn and painted. The page's
 * performance marks split that time: until the topology request starts,
 * the request (backend, transfer, JSON parsing), building the graph, the
 * layout (in the worker), and React rendering and xyflow measuring the nodes.
 */
async function navigateToCells(page) {
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Create' }).click();
  await page.waitForURL(u => u.pathname.startsWith('/create'));
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => performance.clearMarks());
  const started = Date.now();
  await page.evaluate(() => performance.mark('bench:navigate'));
  await nav.getByRole('link', { name: 'Cells' }).click();
  await page.waitForFunction(graphDrawn, null, { polling: 'raf', timeout: 120_000 });
  await page.evaluate(() => new Promise(r => requestAnimationFrame(() => r())));
  const ms = Date.now() - started;
  const phases = await page.evaluate(() => {
    const at = name => performance.getEntriesByName(name, 'mark').pop()?.startTime;
    const now = performance.now();
    const t = [at('bench:navigate'), at('cells:topology-requested'), at('cells:topology-received'), at('cells:layout-started'), at('cells:layout-done'), now];
    const d = (a, b) => (t[a] === undefined || t[b] === undefined ? null : Math.round(t[b] - t[a]));
    return { toRequestMs: d(0, 1), topologyMs: d(1, 2), buildGraphMs: d(2, 3), layoutMs: d(3, 4), renderMs: d(4, 5) };
  });
  return { ms, phases };
}

/** A point on the empty canvas (dragging there pans; dragging a node would not). */
async function panePoint(page) {
  return page.evaluate(() => {
    const pane = document.querySelector('.react-flow__pane').getBoundingClientRect();
    for (let y = pane.top + 40; y < pane.bottom - 40; y += 17) {
      for (let x = pane.left + 40; x < pane.right - 200; x += 23) {
        const el = document.elementFromPoint(x, y);
        if (el?.classList.contains('react-flow__pane')) return { x, y };
      }
    }
    return { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 };
  });
}

/**
 * Drags the canvas back and forth for `ms` while the page records every
 * animation frame and the viewport's position in it. Frames per second while
 * panning counts the frames that painted a new position (a frame in which the
 * pan did not move does not count); the browser's own frame rate and the
 * slowest frames are reported too. Each mouse event is sent when the page
 * has handled the last one, so a slow page also gets fewer of them.
 */
async function panFps(page, ms = 4000) {
  const start = await panePoint(page);
  await page.evaluate(() => {
    const viewport = document.querySelector('.react-flow__viewport');
    const state = { frames: [], moved: 0, last: viewport.style.transform, running: true };
    window.__panBench = state;
    const tick = t => {
      state.frames.push(t);
      if (viewport.style.transform !== state.last) state.moved++;
      state.last = viewport.style.transform;
      if (state.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  const until = Date.now() + ms;
  let step = 0;
  while (Date.now() < until) {
    // 600 px right and back, 12 px per event, with a slow drift down.
    const phase = step % 100;
    const dx = phase < 50 ? phase * 12 : (100 - phase) * 12;
    await page.mouse.move(start.x + dx, start.y + (step % 40));
    step++;
  }
  await page.mouse.up();
  const result = await page.evaluate(() => {
    const state = window.__panBench;
    state.running = false;
    const intervals = state.frames
      .slice(1)
      .map((t, i) => t - state.frames[i])
      .sort((a, b) => a - b);
    const seconds = (state.frames[state.frames.length - 1] - state.frames[0]) / 1000;
    return {
      fps: state.moved / seconds,
      browserFps: (state.frames.length - 1) / seconds,
      p95FrameMs: Math.round(intervals[Math.floor(intervals.length * 0.95)]),
      maxFrameMs: Math.round(intervals[intervals.length - 1]),
      seconds,
    };
  });
  return { ...result, moveEvents: step };
}

async function measure(components, { context, url }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cellplane-graph-${components}-`));
  const { file, cells } = url ? { cells: components === 18 ? 5 : components / 10 } : configFor(components, dir);
  if (!url) log(`${components} components: starting the portal`);
  const portal = url ? { url, stop: async () => {} } : await startPortal({ port: await freePort(), extraConfig: [file], readyTimeoutMs: 300_000 });
  try {
    const token = await guestToken(portal.url);
    const readyStarted = Date.now();
    await waitFor(
      `${cells} cells in sync`,
      async () => {
        const res = await fetch(`${portal.url}/api/cells/cells`, { headers: { Authorization: `Bearer ${token}` } });
        const body = res.ok ? await res.json() : { items: [] };
        const inSync = body.items.filter(c => c.environments[0]?.state === 'in-sync').length;
        if (Date.now() % 30_000 < 1000) log(`${inSync}/${cells} cells in sync`);
        return body.items.length === cells && inSync === cells;
      },
      900_000,
    );
    log(`${components} components: catalog ingested and reconciled in ${((Date.now() - readyStarted) / 1000).toFixed(0)} s`);

    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto(portal.url);
    await page.getByRole('button', { name: /enter/i }).click();
    const nav = page.getByRole('navigation', { name: 'sidebar nav' });
    await nav.getByRole('link', { name: 'Cells' }).waitFor();

    // First visit: the page's code is loaded and the backend answers its first topology request
    // for this catalog (it computes and caches it).
    const first = await navigateToCells(page);
    await page.screenshot({ path: path.join(shots, `cells-${components}-first.png`) });
    // Away and back: what every later visit costs.
    const repeat = await navigateToCells(page);
    const drawn = await page.evaluate(() => ({
      nodes: document.querySelectorAll('.react-flow__node').length,
      edges: document.querySelectorAll('.react-flow__edge').length,
      thread: document.querySelector('[data-layout]')?.getAttribute('data-layout'),
      mode: document.querySelector('[data-layout-mode]')?.getAttribute('data-layout-mode'),
    }));
    await page.waitForTimeout(1000);
    // The pan needs nothing from the backend: pause it (the portal this run started), so the browser has
    // the machine as on a user's desk and not half of it beside the catalog's processing loop.
    const backendPid = portal.child?.pid ?? (arg('--backend-pid') ? Number(arg('--backend-pid')) : undefined);
    if (backendPid) process.kill(backendPid, 'SIGSTOP');
    let pan;
    try {
      pan = await panFps(page);
    } finally {
      if (backendPid) process.kill(backendPid, 'SIGCONT');
    }
    await page.screenshot({ path: path.join(shots, `cells-${components}-panned.png`) });
    await page.close();
    log(`${components} components: first visit ${first.ms} ms, repeat ${repeat.ms} ms, ${pan.fps.toFixed(0)} fps; screenshots in ${shots}`);
    return {
      components,
      cells,
      firstVisitMs: first.ms,
      firstVisitPhases: first.phases,
      repeatVisitMs: repeat.ms,
      repeatVisitPhases: repeat.phases,
      layout: drawn.thread,
      layoutMode: drawn.mode,
      nodesInDom: drawn.nodes,
      edgesInDom: drawn.edges,
      backendPausedDuringPan: Boolean(backendPid),
      ...pan,
    };
  } catch (e) {
    // A portal this run started: what its backend said last (and whether it is still running).
    if (portal.logs)
      e.message += `\n--- portal (exit code ${portal.child?.exitCode ?? 'none: running'}, signal ${portal.child?.signalCode ?? 'none'}) log tail ---\n${portal
        .logs()
        .slice(-4000)}`;
    throw e;
  } finally {
    await portal.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
  const url = arg('--url');
  if (!url && !args.includes('--no-build')) {
    log('building the app (packages/app) ...');
    buildApp({ stdio: 'pipe' });
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-graph-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    viewport: { width: 1600, height: 1000 },
  });
  try {
    for (const components of sizes) {
      console.log(JSON.stringify(await measure(components, { context, url })));
    }
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
})().catch(e => {
  console.error(e);
  process.exit(1);
});
