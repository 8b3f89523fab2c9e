import type { BlastRadiusResponse, SimulateResponse } from '../api/types';
import {
  applyHighlight,
  blastHighlight,
  collapsedFromParams,
  collapsedToParams,
  compactLabel,
  defaultCollapsed,
  searchNodes,
  selectionChanges,
  simulationHighlight,
  toGraph,
} from './graph';
import { largeTopology, testTopology, withPlatform } from './testTopology';

const capcom = 'component:default/capcom';
const director = 'component:default/flight-director';
const comms = 'component:default/comms-system';
const houston = 'system:default/houston';
const orion = 'system:default/orion';
const weatherApi = 'external:api.weather.gov';
const database = 'cidr:10.20.8.0/24';

describe('toGraph', () => {
  it('draws cells as groups before their components, the gateway, and one edge per caller and callee', () => {
    const { nodes, edges } = toGraph(testTopology());
    expect(nodes.map(n => n.id)).toEqual(['gateway', houston, capcom, director, orion, comms, database, weatherApi]);
    const byId = new Map(nodes.map(n => [n.id, n]));
    expect(byId.get(capcom)?.parentId).toBe(houston);
    expect(byId.get(comms)?.parentId).toBe(orion);
    expect(byId.get(houston)?.type).toBe('cell');
    expect(edges.map(e => [e.id, e.label])).toEqual([
      [`${capcom}->${comms}`, 'POST /uplink'],
      [`${director}->${comms}`, '3 methods, 2 paths'],
      [`${capcom}->${director}`, 'any method, any path'],
      [`gateway->${director}`, 'GET /status · JWT artemis-idp, 20/min'],
      [`${capcom}->${database}`, '5432 TCP'],
      [`${capcom}->${weatherApi}`, '443 TLS'],
    ]);
    expect(edges[0].data?.detail).toContain('POST /uplink (connection, cross-cell)');
    // The gateway's edge spells out the front door of the endpoint it leads to, for hover and screen readers.
    expect(edges.find(e => e.source === 'gateway')?.data?.detail).toContain(
      'front door of component:default/flight-director:api: authentication: token from artemis-idp (audience flight-ops; scope: mission.control); ' +
        'rate limit: 20 per minute per claim sub; operations: GET /status, POST /decision/abort',
    );
  });

  it('draws hosts and networks outside the cluster as their own nodes, outside every cell, with the reach in words', () => {
    const { nodes, edges } = toGraph(testTopology());
    const host = nodes.find(n => n.id === weatherApi)!;
    expect(host).toMatchObject({ type: 'external', ariaLabel: 'External host api.weather.gov' });
    expect(host.parentId).toBeUndefined();
    expect(nodes.find(n => n.id === database)?.ariaLabel).toBe('External network 10.20.8.0/24 except 10.20.8.0/28');
    const edge = edges.find(e => e.target === weatherApi)!;
    expect(edge.source).toBe(capcom);
    expect(edge.ariaLabel).toBe(`May reach outside the cluster ${capcom} -> api.weather.gov:443 TLS`);
  });

  it('draws platform services as nodes: the collector a component calls, and the scraper with edges into what it scrapes', () => {
    const { nodes, edges } = toGraph(withPlatform(testTopology()));
    expect(nodes.find(n => n.id === 'platform:otel-collector')?.ariaLabel).toBe('Platform service otel-collector');
    expect(nodes.find(n => n.id === 'platform:monitoring')).toMatchObject({ type: 'external', ariaLabel: 'Platform service monitoring' });
    expect(edges.find(e => e.target === 'platform:otel-collector')).toMatchObject({ source: capcom, label: '4317 TCP' });
    expect(edges.find(e => e.source === 'platform:monitoring')).toMatchObject({
      target: comms,
      label: 'GET /metrics',
      ariaLabel: `May scrape platform:monitoring GET /metrics on port 9464 of ${comms}`,
    });
    // Collapsed, the scrape lands on the cell; filtered away, neither the scrape nor the scraper is drawn.
    expect(toGraph(withPlatform(testTopology()), { collapsed: new Set([orion]) }).edges.find(e => e.source === 'platform:monitoring')?.target).toBe(orion);
    const houstonOnly = toGraph(withPlatform(testTopology()), { cell: houston });
    expect(houstonOnly.nodes.some(n => n.id === 'platform:monitoring')).toBe(false);
    expect(houstonOnly.edges.some(e => e.source === 'platform:monitoring')).toBe(false);
  });

  it('draws no host nobody drawn reaches', () => {
    const byOwner = toGraph(testTopology(), { owner: 'group:default/crew' });
    expect(byOwner.nodes.some(n => n.type === 'external')).toBe(false);
  });

  it('aggregates the edges of a collapsed cell onto it and drops its internal calls', () => {
    const { nodes, edges } = toGraph(testTopology(), { collapsed: new Set([houston]) });
    expect(nodes.map(n => n.id)).toEqual(['gateway', houston, orion, comms, database, weatherApi]);
    expect(edges.map(e => e.id)).toEqual([`${houston}->${comms}`, `gateway->${houston}`, `${houston}->${database}`, `${houston}->${weatherApi}`]);
    expect(edges[0].data?.grants).toHaveLength(2);
    expect(edges[0].label).toBe('2 calls: 3 methods, 2 paths');
  });

  it('filters by owner and by cell, keeping only edges between drawn nodes', () => {
    const byOwner = toGraph(testTopology(), { owner: 'group:default/crew' });
    expect(byOwner.nodes.map(n => n.id)).toEqual([orion, comms]);
    expect(byOwner.edges).toEqual([]);
    const byCell = toGraph(testTopology(), { cell: houston });
    expect(byCell.nodes.map(n => n.id)).toEqual(['gateway', houston, capcom, director, database, weatherApi]);
    expect(byCell.edges.map(e => e.id)).toEqual([`${capcom}->${director}`, `gateway->${director}`, `${capcom}->${database}`, `${capcom}->${weatherApi}`]);
  });

  it('collapses every cell by default only past the threshold', () => {
    expect(defaultCollapsed(testTopology()).size).toBe(0);
    expect([...defaultCollapsed(testTopology(), 2)]).toEqual([houston, orion]);
  });

  it('keeps the collapsed cells in the URL as the difference from the default', () => {
    // Small catalog: nothing collapsed by default, so the URL lists the collapsed cells.
    const small = testTopology();
    expect(collapsedToParams(small, new Set([orion]))).toEqual({ collapsed: orion, expanded: undefined });
    expect([...collapsedFromParams(small, { collapsed: orion, expanded: null })]).toEqual([orion]);
    expect(collapsedFromParams(small, { collapsed: null, expanded: null }).size).toBe(0);
    // 500 cells, all collapsed by default: one expanded cell is one ref in the URL, not 499.
    const large = largeTopology(500);
    const one = large.cells[42].entityRef;
    const next = new Set(large.cells.map(c => c.entityRef).filter(ref => ref !== one));
    const params = collapsedToParams(large, next);
    expect(params).toEqual({ collapsed: undefined, expanded: one });
    expect(collapsedFromParams(large, { collapsed: null, expanded: params.expanded! })).toEqual(next);
    // An explicit list still wins.
    expect([...collapsedFromParams(large, { collapsed: one, expanded: null })]).toEqual([one]);
  });
});

describe('selectionChanges', () => {
  it('selects a node, and expands the collapsed cell of a component in the same change', () => {
    const topology = testTopology();
    expect(selectionChanges(topology, new Set([orion]), capcom)).toEqual({ selected: capcom });
    expect(selectionChanges(topology, new Set([houston, orion]), capcom)).toEqual({ selected: capcom, collapsed: orion, expanded: undefined });
    expect(selectionChanges(topology, new Set([houston]), houston)).toEqual({ selected: houston });
    const large = largeTopology(31);
    const all = defaultCollapsed(large);
    expect(selectionChanges(large, all, 'component:default/svc-205')).toEqual({
      selected: 'component:default/svc-205',
      collapsed: undefined,
      expanded: 'system:default/cell-20',
    });
  });
});

describe('compactLabel', () => {
  it('names a single method and path, and counts otherwise', () => {
    const grant = { from: 'a', to: 'b', endpoint: 'api', declaredBy: 'connection' as const, crossCell: false };
    expect(compactLabel([{ ...grant, methods: ['POST'], paths: ['/uplink'] }])).toBe('POST /uplink');
    expect(compactLabel([{ ...grant, methods: ['GET', 'POST'], paths: ['/a'] }])).toBe('2 methods, /a');
  });
});

describe('searchNodes', () => {
  it('finds components by name and title, and cells by title', () => {
    expect(searchNodes(testTopology(), 'flight')).toEqual([director]);
    expect(searchNodes(testTopology(), 'ORION')).toEqual([orion]);
    expect(searchNodes(testTopology(), 'c')).toContain(capcom);
    expect(searchNodes(testTopology(), '  ')).toEqual([]);
  });
});

describe('highlights', () => {
  it('marks what a compromised component reaches and what reaches it', () => {
    const response: BlastRadiusResponse = {
      environment: 'dev',
      from: capcom,
      reaches: [
        { component: comms, endpoint: 'api', port: 8080, methods: ['POST'], paths: ['/uplink'] },
        { component: director, endpoint: 'api', port: 8080 },
      ],
      reachedBy: [],
      egress: [testTopology().egress[1]],
    };
    const topology = testTopology();
    const highlight = blastHighlight(capcom, response);
    const { nodes, edges } = applyHighlight(topology, toGraph(topology), highlight, new Set());
    const marks = Object.fromEntries(nodes.map(n => [n.id, n.data.mark]));
    expect(marks).toMatchObject({
      [capcom]: 'source',
      [comms]: 'reaches',
      [director]: 'reaches',
      [weatherApi]: 'reaches',
      [database]: undefined,
      gateway: undefined,
    });
    expect(
      edges
        .filter(e => e.data?.mark)
        .map(e => e.id)
        .sort(),
    ).toEqual([`${capcom}->${comms}`, `${capcom}->${director}`, `${capcom}->${weatherApi}`]);
  });

  it('lands marks of hidden components on their collapsed cell', () => {
    const topology = testTopology();
    const collapsed = new Set([orion]);
    const highlight = blastHighlight(capcom, {
      environment: 'dev',
      from: capcom,
      reaches: [{ component: comms, endpoint: 'api', port: 8080 }],
      reachedBy: [],
      egress: [],
    });
    const { nodes, edges } = applyHighlight(topology, toGraph(topology, { collapsed }), highlight, collapsed);
    expect(nodes.find(n => n.id === orion)?.data.mark).toBe('reaches');
    expect(edges.find(e => e.id === `${capcom}->${orion}`)?.data?.mark).toBe('reaches');
  });

  it('marks a simulated request: the hops that are components, denied in red', () => {
    const topology = testTopology();
    const response: SimulateResponse = {
      allowed: false,
      decidedBy: 'L7',
      explanation: 'denied at L7: no ALLOW policy matches',
      layers: [],
      hops: [
        { description: 'caller -> waypoint', from: 'houston/rogue', to: 'orion/comms-system-5d9f', port: 15008, appPort: 8080, protocol: 'HTTP', layers: [] },
      ],
    };
    const highlight = simulationHighlight(topology, { from: { rogue: 'houston' }, to: 'orion/comms-system', method: 'POST', path: '/uplink' }, response);
    expect([...highlight.nodes]).toEqual([
      [houston, 'source'],
      [comms, 'denied'],
    ]);
    expect([...highlight.grants]).toEqual([[`${houston}->${comms}`, 'denied']]);
  });
});
