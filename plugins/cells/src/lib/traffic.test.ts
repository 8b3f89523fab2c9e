import { testTopology } from './testTopology';
import { testRollout, testTraffic } from './testTraffic';
import {
  allowCallLink,
  callText,
  observedEdges,
  observedNodeId,
  parseOverlay,
  parseWindow,
  removeCallLink,
  touches,
  trafficView,
  windowQuery,
  wouldBreakByCell,
} from './traffic';
import { toGraph } from './graph';

const topology = testTopology();
const formData = (link: string | undefined) => JSON.parse(decodeURIComponent(link!.split('?formData=')[1]));

describe('the traffic overlay', () => {
  it('reads the mode and window from the URL, falling back to declared and 24 hours', () => {
    expect(parseOverlay('both')).toBe('both');
    expect(parseOverlay('everything')).toBe('declared');
    expect(parseOverlay(null)).toBe('declared');
    expect(parseWindow('7d')).toBe('7d');
    expect(parseWindow('2w')).toBe('24h');
    expect(windowQuery('1h', Date.parse('2026-11-30T00:00:00Z'))).toEqual({ since: '2026-11-29T23:00:00.000Z', until: '2026-11-30T00:00:00.000Z' });
  });

  it("draws each observed call between drawn nodes, an unknown pod on its cell's node", () => {
    const drawn = new Set(toGraph(topology).nodes.map(n => n.id));
    const edges = observedEdges(topology, testTraffic(), new Set(), drawn);
    expect(edges.map(e => [e.id, e.label])).toEqual([
      ['observed:declared-seen:component:default/capcom->component:default/comms-system', '✓ declared, seen'],
      ['observed:declared-unused:component:default/flight-director->component:default/comms-system', '○ declared, unused'],
      ['observed:undeclared-allowed:component:default/comms-system->component:default/capcom', '! undeclared, allowed'],
      ['observed:denied:system:default/houston->component:default/flight-director', '✗ denied'],
    ]);
    expect(edges.every(e => e.type === 'observed')).toBe(true);
    expect(edges[3].ariaLabel).toBe('Observed call, denied: pod debug-shell in houston -> houston/flight-director port 8080 TCP: 4 calls');
  });

  it('aggregates on a collapsed cell and leaves out calls inside one node or to nothing drawn', () => {
    const collapsed = new Set(['system:default/houston']);
    const drawn = new Set(toGraph(topology, { collapsed }).nodes.map(n => n.id));
    const edges = observedEdges(topology, testTraffic(), collapsed, drawn);
    // The pod and flight-director are both drawn as houston now: no edge; the rest attach to the cell.
    expect(edges.map(e => `${e.source}->${e.target}`)).toEqual([
      'system:default/houston->component:default/comms-system',
      'system:default/houston->component:default/comms-system',
      'component:default/comms-system->system:default/houston',
    ]);
    expect(observedNodeId(topology, 'external:evil.example', collapsed, drawn)).toBeUndefined();
    expect(observedNodeId(topology, 'hidden', collapsed, drawn)).toBeUndefined();
  });

  it('prefills "Allow a call" from an undeclared call, with the endpoint, method and path seen', () => {
    const [, , undeclared] = testTraffic().edges;
    expect(allowCallLink(topology, undeclared)!.startsWith('/create/templates/default/cellplane-allow-call?formData=')).toBe(true);
    expect(formData(allowCallLink(topology, undeclared))).toEqual({
      from: 'component:default/comms-system',
      target: { component: 'component:default/capcom', endpoint: 'api' },
      access: { methods: ['GET'], paths: ['/loop'] },
    });
    // A pod the catalog does not know cannot be the caller of a connection.
    expect(allowCallLink(topology, testTraffic().edges[3])).toBeUndefined();
  });

  it('prefills "Remove a call" from an unused grant, its endpoint found by port', () => {
    const unused = testTraffic().edges[1];
    expect(removeCallLink(topology, unused)).toMatch(/^\/create\/templates\/default\/cellplane-remove-call\?formData=/);
    expect(formData(removeCallLink(topology, unused))).toEqual({
      from: 'component:default/flight-director',
      call: { to: 'component:default/comms-system', endpoint: 'api' },
    });
    expect(formData(removeCallLink(topology, { ...unused, port: 9999 })).call).toEqual({ to: 'component:default/comms-system' });
  });

  it('says a call in words and finds the calls of a selected cell or component', () => {
    const [seen, , , denied] = testTraffic().edges;
    expect(callText(topology, seen)).toBe('houston/capcom -> orion/comms-system HTTP');
    expect(touches(topology, denied, 'system:default/houston', 'from')).toBe(true);
    expect(touches(topology, denied, 'component:default/flight-director', 'to')).toBe(true);
    expect(touches(topology, denied, 'system:default/orion', 'from')).toBe(false);
  });

  it("shows only observed edges, or both, and each cell's would-break count", () => {
    const graph = toGraph(topology);
    const drawn = new Set(graph.nodes.map(n => n.id));
    const observed = observedEdges(topology, testTraffic(), new Set(), drawn);
    const breaks = wouldBreakByCell(testRollout());
    expect(trafficView(graph, 'declared', observed, breaks)).toBe(graph);
    const only = trafficView(graph, 'observed', observed, breaks);
    expect(only.edges).toEqual(observed);
    expect(trafficView(graph, 'both', observed, breaks).edges).toHaveLength(graph.edges.length + observed.length);
    const cells = only.nodes.filter(n => n.data.kind === 'cell').map(n => [n.id, n.data.kind === 'cell' && n.data.wouldBreak]);
    expect(cells).toEqual([
      ['system:default/houston', 1],
      ['system:default/orion', 0],
    ]);
  });
});
