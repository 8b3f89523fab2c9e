import { buildCellModel } from '../validation/catalog';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { artemisEntities, artemisSettings } from '../testing/artemis';
import { createSimulation } from './simulation';
import { simulateRequest } from './simulate';
import { simulateEgress } from './egress';
import { AttackPreset, AttackQueryError, attackPresets, EndpointAttack, ExfiltrationAttack } from './attacks';

const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
const sim = createSimulation(model, DEFAULT_SETTINGS, 'development');
const { items: all } = attackPresets(sim);
type Endpoint = AttackPreset & { body: EndpointAttack };
type Exfiltration = AttackPreset & { body: ExfiltrationAttack };
type RogueEndpoint = AttackPreset & { body: EndpointAttack & { from: { rogue: string } } };
const presets = all.filter((p): p is RogueEndpoint => 'to' in p.body && typeof p.body.from === 'object' && 'rogue' in p.body.from);
const fromGateway = all.filter((p): p is Endpoint => 'to' in p.body && typeof p.body.from === 'object' && 'gateway' in p.body.from);
const exfiltrations = all.filter((p): p is Exfiltration => !('to' in p.body));
const undeclared = all.filter((p): p is Endpoint => p.id.startsWith('undeclared:'));
const refOf = (label: string) => {
  const [cell, name] = label.split('/');
  return model.components.find(c => c.name === name && c.cell === `system:default/${cell}`)!.ref;
};

describe('attackPresets on Artemis II', () => {
  it('has stable, unique ids and readable titles', () => {
    expect(new Set(all.map(p => p.id)).size).toBe(all.length);
    expect(attackPresets(sim)).toEqual({ items: all, truncated: false });
    expect(presets.map(p => p.title)).toContain('rogue pod in houston: POST /uplink on orion/comms-system');
  });

  it("offers only endpoints the rogue can address: its own cell, and other cells' organization and public ones", () => {
    for (const p of presets) {
      const [cell] = p.body.to.split('/');
      const from = (p.body.from as { rogue: string }).rogue;
      const callee = model.components.find(c => c.ref === refOf(p.body.to))!;
      const visibility = callee.endpoints.find(e => e.name === p.body.endpoint)!.visibility;
      expect(cell === from || visibility !== 'project').toBe(true);
    }
    // orion's guidance-nav is project-visible: only orion's rogue may try it.
    expect(new Set(presets.filter(p => p.body.to === 'orion/guidance-nav').map(p => (p.body.from as { rogue: string }).rogue))).toEqual(new Set(['orion']));
  });

  // The public Artemis II demo's four attacks (docs/analyzer.md#blast-radius-and-attack-presets) are presets verbatim: the operations either
  // are granted to some caller or are listed in the target endpoint's `operations`.
  it.each([
    ['ABORT', 'houston', 'houston/flight-director', 'POST', '/decision/abort'],
    ['HIJACK NAV', 'orion', 'orion/guidance-nav', 'POST', '/maneuver'],
    ['STEAL VITALS', 'orion', 'orion/life-support', 'GET', '/crew/vitals'],
    ['SPOOF ID', 'houston', 'orion/comms-system', 'POST', '/uplink'],
  ])('%s: a preset for the rogue in %s on %s, denied at L7', (_name, cell, to, method, path) => {
    const preset = presets.find(p => p.title === `rogue pod in ${cell}: ${method} ${path} on ${to}`);
    expect(preset).toBeDefined();
    expect(preset!.body).toEqual({ environment: 'development', from: { rogue: cell }, to, endpoint: 'http', method, path });
    const rogue = { rogue: `system:default/${cell}` };
    expect(simulateRequest(sim, { from: rogue, to: refOf(to), endpoint: 'http', method, path })).toMatchObject({ allowed: false, decidedBy: 'L7' });
  });

  it('every preset is stopped by the compiled cells', () => {
    for (const p of presets) {
      const result = simulateRequest(sim, {
        from: { rogue: `system:default/${(p.body.from as { rogue: string }).rogue}` },
        to: refOf(p.body.to),
        endpoint: p.body.endpoint,
        method: p.body.method,
        path: p.body.path,
      });
      expect([p.title, result.allowed]).toEqual([p.title, false]);
    }
  });

  it('narrows to one rogue pod and one target cell or component, and cuts at the limit in the same order', () => {
    const fromOrion = attackPresets(sim, { rogue: 'orion' }).items;
    // The rogue pod's own: a component's exfiltration is not the rogue pod's.
    expect(fromOrion).toEqual(all.filter(p => (p.body.from as { rogue?: string }).rogue === 'orion'));
    expect(attackPresets(sim, { rogue: 'system:default/orion' }).items).toEqual(fromOrion);
    const onHouston = attackPresets(sim, { rogue: 'orion', target: 'houston' }).items;
    expect(onHouston.length).toBeGreaterThan(0);
    expect(onHouston).toEqual(presets.filter(p => p.body.from.rogue === 'orion' && p.body.to.startsWith('houston/')));
    const onCapcom = attackPresets(sim, { target: 'houston/capcom' }).items;
    expect(onCapcom).toEqual([...fromGateway, ...presets].filter(p => p.body.to === 'houston/capcom'));
    expect(attackPresets(sim, { target: refOf('houston/capcom') }).items).toEqual(onCapcom);
    expect(attackPresets(sim, { limit: 3 })).toEqual({ items: all.slice(0, 3), truncated: true });
    expect(attackPresets(sim, { limit: all.length })).toEqual({ items: all, truncated: false });
  });

  it("lists an unauthenticated call through the gateway for each operation of flight-director's public endpoint, first", () => {
    expect(all.slice(0, fromGateway.length)).toEqual(fromGateway);
    expect(fromGateway.map(p => p.title)).toEqual([
      'unauthenticated call through the gateway: GET /dashboard on houston/flight-director',
      'unauthenticated call through the gateway: POST /decision/abort on houston/flight-director',
      'unauthenticated call through the gateway: POST /decision/go-nogo on houston/flight-director',
      'unauthenticated call through the gateway: GET /decisions/decisionId on houston/flight-director',
    ]);
    expect(fromGateway[1].body).toEqual({
      environment: 'development',
      from: { gateway: true },
      to: 'houston/flight-director',
      endpoint: 'http',
      method: 'POST',
      path: '/decision/abort',
    });
    expect(attackPresets(sim, { rogue: 'orion' }).items.some(p => 'to' in p.body && typeof p.body.from === 'object' && 'gateway' in p.body.from)).toBe(false);
  });

  it('the unauthenticated abort through the gateway is denied at the front door with its reason (issue #23)', () => {
    const withProvider = createSimulation(model, artemisSettings(), 'development');
    const abort = attackPresets(withProvider).items.find(p => p.id === 'gateway:houston/flight-director:http:POST /decision/abort')!.body as EndpointAttack;
    const request = { from: { gateway: true } as const, to: refOf(abort.to), endpoint: abort.endpoint, method: abort.method, path: abort.path };
    expect(simulateRequest(withProvider, request)).toMatchObject({ allowed: false, decidedBy: 'edge-auth', edge: { reason: 'no-token' } });
    // Where the settings lack the provider, the route is closed to everyone.
    expect(simulateRequest(sim, request)).toMatchObject({ allowed: false, decidedBy: 'edge-auth', edge: { reason: 'provider-not-configured' } });
  });

  it('lists, after them, a granted caller asking for an operation flight-director-api does not declare, denied at L7 (issue #23)', () => {
    expect(all.slice(fromGateway.length, fromGateway.length + undeclared.length)).toEqual(undeclared);
    expect(undeclared).toEqual([
      {
        id: 'undeclared:kennedy/launch-control:houston/flight-director:http:DELETE /decision/go-nogo',
        title:
          'kennedy/launch-control calls an operation api:default/flight-director-api does not declare: DELETE /decision/go-nogo on houston/flight-director',
        body: {
          environment: 'development',
          from: 'kennedy/launch-control',
          to: 'houston/flight-director',
          endpoint: 'http',
          method: 'DELETE',
          path: '/decision/go-nogo',
        },
      },
    ]);
    const { method, path } = undeclared[0].body;
    const request = { from: { component: refOf('kennedy/launch-control') }, to: refOf('houston/flight-director'), endpoint: 'http', method, path };
    expect(simulateRequest(sim, request)).toMatchObject({ allowed: false, decidedBy: 'L7' });
    // The declared operation on the same path is the caller's.
    expect(simulateRequest(sim, { ...request, method: 'POST' })).toMatchObject({ allowed: true });
    expect(attackPresets(sim, { rogue: 'kennedy' }).items.some(p => p.id.startsWith('undeclared:'))).toBe(false);
  });

  it('names the field of a rogue or target that is not in the environment', () => {
    expect(() => attackPresets(sim, { rogue: 'mars' })).toThrow(new AttackQueryError('rogue', 'no cell "mars" in environment development'));
    expect(() => attackPresets(sim, { target: 'houston/nobody' })).toThrow(
      /^target: no cell or component "houston\/nobody" in environment development; name a cell or <cell>\/<component>$/,
    );
  });
});

describe('exfiltration presets on Artemis II', () => {
  it("lists, per cell, its rogue pod's and each egress-declaring component's attempts, ahead of that cell's endpoint attacks", () => {
    expect(exfiltrations.map(p => p.title)).toEqual([
      ...['deep-space-network', 'esa-ops', 'houston', 'kennedy'].flatMap(cell => [
        `rogue pod in ${cell}: to an undeclared host (cellplane-undeclared-probe.example:443)`,
        `rogue pod in ${cell}: to the metadata address 169.254.169.254:80`,
        ...(cell === 'kennedy'
          ? [
              'kennedy/weather-station: to an undeclared host (cellplane-undeclared-probe.example:443)',
              'kennedy/weather-station: to the metadata address 169.254.169.254:80',
            ]
          : []),
      ]),
      'rogue pod in orion: to an undeclared host (cellplane-undeclared-probe.example:443)',
      'rogue pod in orion: to the metadata address 169.254.169.254:80',
    ]);
    // After the gateway's unauthenticated calls and the undeclared operations (a handful, first), the first cell's exfiltration.
    expect(all[fromGateway.length + undeclared.length]).toEqual({
      id: 'exfiltrate:rogue:deep-space-network:host',
      title: 'rogue pod in deep-space-network: to an undeclared host (cellplane-undeclared-probe.example:443)',
      body: { environment: 'development', from: { rogue: 'deep-space-network' }, toHost: 'cellplane-undeclared-probe.example', port: 443, protocol: 'TLS' },
    });
    expect(exfiltrations.find(p => p.id === 'exfiltrate:kennedy/weather-station:metadata')!.body).toEqual({
      environment: 'development',
      from: 'kennedy/weather-station',
      toIp: '169.254.169.254',
      port: 80,
    });
  });

  // Every attempt is denied, each by the layer that decides it: nothing routes an undeclared host or the
  // metadata address through the egress waypoint, so the caller's own L3/L4 egress stops both.
  it.each([
    ['rogue pod in kennedy: to an undeclared host (cellplane-undeclared-probe.example:443)', 'L3/L4'],
    ['rogue pod in kennedy: to the metadata address 169.254.169.254:80', 'L3/L4'],
    ['kennedy/weather-station: to an undeclared host (cellplane-undeclared-probe.example:443)', 'L3/L4'],
    ['kennedy/weather-station: to the metadata address 169.254.169.254:80', 'L3/L4'],
    ['rogue pod in orion: to the metadata address 169.254.169.254:80', 'L3/L4'],
  ])('%s: denied at %s', (title, layer) => {
    const { body } = exfiltrations.find(p => p.title === title)!;
    const from = typeof body.from === 'string' ? { component: refOf(body.from) } : { rogue: `system:default/${body.from.rogue}` };
    const probe =
      'toHost' in body ? { host: body.toHost, port: body.port, protocol: body.protocol } : { ip: body.toIp, port: body.port, protocol: 'TCP' as const };
    expect(simulateEgress(sim, from, probe)).toMatchObject({ allowed: false, decidedBy: layer });
  });

  it('every exfiltration preset is denied by the compiled catalog', () => {
    for (const { title, body } of exfiltrations) {
      const from = typeof body.from === 'string' ? { component: refOf(body.from) } : { rogue: `system:default/${body.from.rogue}` };
      const probe =
        'toHost' in body ? { host: body.toHost, port: body.port, protocol: body.protocol } : { ip: body.toIp, port: body.port, protocol: 'TCP' as const };
      expect([title, simulateEgress(sim, from, probe).allowed]).toEqual([title, false]);
    }
  });

  it('are left out when a target cell or component is named (they leave every cell)', () => {
    expect(attackPresets(sim, { target: 'kennedy' }).items.filter(p => !('to' in p.body))).toEqual([]);
  });
});
