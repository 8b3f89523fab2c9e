import { buildCellModel, modelOptions } from '../validation/catalog';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { readCellsSettings } from '../settings/read';
import { artemisEntities } from '../testing/artemis';
import { compileCells } from '../compiler';
import { createSimulation } from './simulation';
import { SimulatedCaller, simulateRequest } from './simulate';
import { attackPresets } from './attacks';
import { simulateScrape } from './platform';
import { simulateEgress } from './egress';
import { verifySimulation } from './verify';

/*
 * examples/artemis declares metrics on houston's telemetry-monitor and
 * flight-dynamics. With the default settings no scraper is configured, so they
 * admit nobody (the golden files are unchanged); with a Prometheus configured
 * as the `monitoring` platform service, it may GET /metrics there and nothing
 * else, and every mission flow and attack keeps its verdict.
 */
const MONITORING = {
  name: 'monitoring',
  role: 'scrapes',
  namespace: 'monitoring',
  podLabels: { 'app.kubernetes.io/name': 'prometheus' },
  serviceAccount: 'prometheus',
};
const withPrometheus = readCellsSettings({ platform: { services: [MONITORING] } });

function simulation(settings: typeof DEFAULT_SETTINGS) {
  const { model, problems } = buildCellModel(artemisEntities(), modelOptions(settings));
  expect(problems).toEqual([]);
  return createSimulation(model, settings, 'development');
}

describe('examples/artemis scraped by a configured Prometheus', () => {
  const plain = simulation(DEFAULT_SETTINGS);
  const scraped = simulation(withPrometheus);
  const ref = (name: string) => plain.model.components.find(c => c.name === name)!.ref;

  it('declares metrics on two components, scraped by every configured scraper (none by default)', () => {
    const metrics = (sim: typeof plain) => sim.model.components.filter(c => c.metrics).map(c => [c.name, c.metrics]);
    expect(metrics(plain)).toEqual([
      ['flight-dynamics', { port: 8080, path: '/metrics', scrapedBy: [] }],
      ['telemetry-monitor', { port: 8080, path: '/metrics', scrapedBy: [] }],
    ]);
    expect(metrics(scraped).map(([, m]) => (m as { scrapedBy: string[] }).scrapedBy)).toEqual([['monitoring'], ['monitoring']]);
  });

  it('changes only the scraped components and their waypoint', () => {
    const objects = (settings: typeof DEFAULT_SETTINGS) =>
      new Map(
        compileCells(buildCellModel(artemisEntities(), modelOptions(settings)).model, settings).cells.flatMap(c =>
          c.objects.map(o => [`${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, JSON.stringify(o)] as const),
        ),
      );
    const [before, after] = [objects(DEFAULT_SETTINGS), objects(withPrometheus)];
    expect([...after.keys()]).toEqual([...before.keys()]);
    const changed = [...after.keys()].filter(k => after.get(k) !== before.get(k)).map(k => k.replace(/ [^/]+\//, ' '));
    // houston's waypoint hears the scraper; each scraped component's L7 policy gets its rule (both already accepted the waypoint).
    expect(changed).toEqual(['NetworkPolicy cell.waypoint', 'AuthorizationPolicy flight-dynamics', 'AuthorizationPolicy telemetry-monitor']);
  });

  // [component, method, path, allowed, deciding layer]
  it.each([
    ['telemetry-monitor', 'GET', '/metrics', true, null],
    ['flight-dynamics', 'GET', '/metrics', true, null],
    ['telemetry-monitor', 'POST', '/metrics', false, 'L7'],
    ['telemetry-monitor', 'GET', '/telemetry/orion', false, 'L7'],
    // In houston the scraper passes the waypoint's L3/L4 (for its neighbours) and is refused at L7; in orion at L3/L4.
    ['flight-director', 'GET', '/metrics', false, 'L7'],
    ['comms-system', 'GET', '/metrics', false, 'L3/L4'],
  ])('Prometheus -> %s %s %s', (name, method, path, allowed, layer) => {
    const result = simulateScrape(scraped, 'monitoring', ref(name), { port: 8080, method, path });
    expect({ allowed: result.allowed, decidedBy: result.allowed ? null : result.decidedBy }).toEqual({ allowed, decidedBy: layer });
  });

  it('verifies clean, with the scrape checks', () => {
    const [before, after] = [verifySimulation(plain), verifySimulation(scraped)];
    expect(after.violations).toEqual([]);
    // 2 components x (GET, POST, another path), plus the impostor beside the scraper on each.
    expect(after.checks - before.checks).toBe(2 * 3 + 2);
  });

  it('keeps every mission flow and every attack verdict', () => {
    const allowed = (sim: typeof plain) => verifySimulation(sim, { recordAllowed: true }).allowed;
    expect(allowed(scraped)).toEqual(allowed(plain));
    const presets = attackPresets(plain).items;
    expect(attackPresets(scraped).items).toEqual(presets);
    const verdict = (sim: typeof plain, p: (typeof presets)[number]) => {
      const body = p.body;
      const fromOf = (from: { rogue: string } | { gateway: true } | string): SimulatedCaller => {
        if (typeof from === 'string') return { component: sim.model.components.find(c => `${c.cell.split('/')[1]}/${c.name}` === from)!.ref };
        return 'gateway' in from ? { gateway: true } : { rogue: `system:default/${from.rogue}` };
      };
      if (!('to' in body)) {
        const probe =
          'toHost' in body ? { host: body.toHost, port: body.port, protocol: body.protocol } : { ip: body.toIp, port: body.port, protocol: 'TCP' as const };
        const r = simulateEgress(sim, fromOf(body.from), probe);
        return [p.title, r.allowed, r.decidedBy];
      }
      const to = sim.model.components.find(c => `${c.cell.split('/')[1]}/${c.name}` === body.to)!.ref;
      const r = simulateRequest(sim, { from: fromOf(body.from), to, endpoint: body.endpoint, method: body.method, path: body.path });
      return [p.title, r.allowed, r.decidedBy];
    };
    expect(presets.map(p => verdict(scraped, p))).toEqual(presets.map(p => verdict(plain, p)));
  });
});
