import { Entity } from '@backstage/catalog-model';
import { buildCellModel } from '../validation/catalog';
import { compileCells, KubeObject } from '../compiler';
import { artemisEntities, artemisSettings } from '../testing/artemis';
import { createSimulation, verifySimulation } from '../verify';
import { buildEvidencePack } from './pack';
import { checkRegister } from './check';
import { RegisterFlow } from './types';

// The Artemis example's platform: its identity provider keeps flight-director's public route open to tokens.
const SETTINGS = artemisSettings();
const OPTIONS = { generatedAt: '2026-12-01T09:00:00.000Z', version: '0.1.0' };

function modelOf(entities: Entity[]) {
  const { model, problems } = buildCellModel(entities, { defaultEnvironments: ['development'] });
  expect(problems).toEqual([]);
  return model;
}

const model = modelOf(artemisEntities());
describe('the register of the Artemis cells', () => {
  // The whole environment, verified once, independently of the packs' own per-cell runs.
  const whole = verifySimulation(createSimulation(model, SETTINGS, 'development'), { recordAllowed: true });

  it.each(model.cells.map(c => c.name))('lists exactly the flows verify finds allowed into, out of and within %s', name => {
    const cell = model.cells.find(c => c.name === name)!.ref;
    const pack = buildEvidencePack(model, SETTINGS, name, OPTIONS);
    expect(pack.environments.map(e => e.environment)).toEqual(['development']);
    const register = pack.environments[0].register;
    // Every allowed flow and request is accounted for by a row, and every row by an allowed request.
    expect(checkRegister(model, cell, register, whole.allowed!)).toEqual({ missingFlows: [], extraFlows: [], unaccountedRequests: [], unsupportedRows: [] });
    // A clean catalog: every row declared, as declared, with the policies of each layer that admit it.
    expect(register.every(r => r.status === 'as-declared' && r.declarations.length > 0 && !r.undeclaredRequests && r.violations.length === 0)).toBe(true);
    expect(register.every(r => r.enforcedBy.map(l => l.layer).join(',') === 'L3/L4,mTLS,L7' && r.enforcedBy.every(l => l.policies.length > 0))).toBe(true);
    expect(pack.environments[0].matrices.difference).toEqual([]);
    expect(pack.summary).toMatchObject({ result: 'pass', flows: register.length, undeclaredFlows: 0, differences: 0 });
  });

  it('checkRegister names a flow the register leaves out and a row verify does not support', () => {
    const register = buildEvidencePack(model, SETTINGS, 'houston', OPTIONS).environments[0].register;
    const [first, ...rest] = register;
    const moved: RegisterFlow = { ...first, id: 'F99', endpoint: 'no-such-endpoint' };
    const check = checkRegister(model, 'system:default/houston', [...rest, moved], whole.allowed!);
    expect(check.missingFlows).toEqual([`${first.from.label} -> ${first.to.ref} ${first.endpoint}`]);
    expect(check.extraFlows).toEqual([`${first.from.label} -> ${first.to.ref} no-such-endpoint`]);
    expect(check.unaccountedRequests.length).toBeGreaterThan(0);
    expect(check.unsupportedRows).toEqual(['F99']);
  });

  it('reads as the catalog says for houston: one row per flow, ids, directions, ports, methods, paths, owners', () => {
    const register = buildEvidencePack(model, SETTINGS, 'houston', OPTIONS).environments[0].register;
    expect(register.map(r => r.id)).toEqual(register.map((_, i) => `F${i + 1}`));
    const order = ['inbound', 'internal', 'outbound'];
    expect(register.map(r => order.indexOf(r.direction))).toEqual(register.map(r => order.indexOf(r.direction)).sort());
    const keys = register.map(r => `${r.from.label} ${r.to.label} ${r.endpoint}`);
    expect(new Set(keys).size).toBe(keys.length);
    const uplink = register.find(r => r.from.label === 'houston/capcom' && r.to.label === 'orion/comms-system');
    expect(uplink).toMatchObject({
      direction: 'outbound',
      port: 8080,
      protocol: 'HTTP',
      transport: 'TCP',
      declarations: [
        {
          entity: 'component:default/capcom',
          field: 'spec.connections[0]',
          kind: 'connection',
          methods: ['POST'],
          paths: ['/uplink', '/uplink/*'],
          owner: 'group:default/houston-flight-ops',
        },
      ],
      approval: null,
      status: 'as-declared',
    });
    const dashboard = register.find(r => r.from.kind === 'gateway');
    expect(dashboard).toMatchObject({ direction: 'inbound', to: { label: 'houston/flight-director' } });
    // The public endpoint serves flight-director-api: the gateway is declared the API's operations, one per path.
    expect(dashboard!.declarations.map(d => `${d.kind} ${d.field} ${d.methods} ${d.paths}`)).toEqual([
      'public spec.endpoints[0].visibility GET /dashboard',
      'public spec.endpoints[0].visibility GET /decisions/{*}',
      'public spec.endpoints[0].visibility POST /decision/abort',
      'public spec.endpoints[0].visibility POST /decision/go-nogo',
    ]);
    // Declared on both sides: DSN grants Houston GET on signal-router, and capcom declares the call.
    const router = register.find(r => r.from.label === 'houston/capcom' && r.to.label === 'deep-space-network/signal-router')!;
    expect(router.declarations.map(d => [d.kind, d.owner, d.methods])).toEqual([
      ['allowFrom', 'group:default/dsn-operations', ['GET']],
      ['connection', 'group:default/houston-flight-ops', ['GET']],
    ]);
    // Two connections to one endpoint: one flow.
    const countdown = register.find(r => r.from.label === 'houston/flight-director' && r.to.label === 'kennedy/launch-control')!;
    expect(countdown.declarations.map(d => `${d.methods} ${d.paths}`)).toEqual(['POST /countdown/start', 'GET /countdown/status']);
  });

  it('carries the reasons the catalog gives', () => {
    const entities = artemisEntities().map(e => {
      if (e.metadata.name !== 'capcom') return e;
      const spec = JSON.parse(JSON.stringify(e.spec));
      spec.connections[0].reason = 'CAPCOM uplinks voice and commands to the crew';
      return { ...e, spec };
    });
    const register = buildEvidencePack(modelOf(entities), SETTINGS, 'houston', OPTIONS).environments[0].register;
    expect(register.find(r => r.from.label === 'houston/capcom' && r.to.label === 'orion/comms-system')!.declarations[0].reason).toBe(
      'CAPCOM uplinks voice and commands to the crew',
    );
    expect(register.flatMap(r => r.declarations).filter(d => d.reason)).toHaveLength(1);
  });
});

describe('the register of widened manifests', () => {
  const objects = compileCells(model, SETTINGS).cells.flatMap(c => c.objects);
  const widened = JSON.parse(JSON.stringify(objects)) as KubeObject[];
  const ap = widened.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'comms-system') as any;
  // Houston's callers may now do anything on comms-system, not only POST /uplink.
  delete ap.spec.rules[2].to;
  const pack = buildEvidencePack(model, SETTINGS, 'houston', { ...OPTIONS, objects: { development: widened } });
  const env = pack.environments[0];

  it('lists the undeclared requests on the flow, and marks it as differing', () => {
    const capcom = env.register.filter(r => r.from.label === 'houston/capcom' && r.to.label === 'orion/comms-system');
    expect(capcom).toHaveLength(1);
    expect(capcom[0]).toMatchObject({ status: 'differs', declarations: [{ field: 'spec.connections[0]' }] });
    expect(capcom[0].undeclaredRequests).toEqual(expect.arrayContaining(['DELETE /', 'GET /cellplane-undeclared-probe']));
    expect(capcom[0].undeclaredRequests).not.toContain('POST /uplink');
    expect(capcom[0].violations.length).toBe(capcom[0].undeclaredRequests!.length);
    const ids = new Set(env.matrices.difference.filter(d => d.from === 'houston/capcom').map(d => d.id));
    expect(new Set(capcom[0].violations)).toEqual(ids);
  });

  it('shows each difference, and fails the summary', () => {
    const difference = env.matrices.difference;
    expect(difference.length).toBeGreaterThan(0);
    expect(difference.every(d => d.allowed && !d.declared && d.to === 'orion/comms-system' && d.port === 8080)).toBe(true);
    expect(difference.map(d => d.id)).toEqual(difference.map((_, i) => `V${i + 1}`));
    expect(new Set(difference.map(d => d.from))).toEqual(new Set(['houston/capcom', 'houston/flight-director']));
    expect(pack.summary).toMatchObject({ result: 'fail', differences: difference.length, undeclaredFlows: 0 });
    expect(env.verification.latest).toMatchObject({ result: 'fail', violations: difference.length });
  });

  it("lists a flow nothing declares as undeclared, with its requests, owned by the callee's team", () => {
    const opened = JSON.parse(JSON.stringify(objects)) as any[];
    const monitor = opened.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'telemetry-monitor');
    const director = `cluster.local/ns/${monitor.metadata.namespace}/sa/flight-director`;
    monitor.spec.rules.push({ from: [{ source: { principals: [director] } }] });
    const houston = buildEvidencePack(model, SETTINGS, 'houston', { ...OPTIONS, objects: { development: opened } }).environments[0];
    const flow = houston.register.find(r => r.from.label === 'houston/flight-director' && r.to.label === 'houston/telemetry-monitor')!;
    expect(flow).toMatchObject({ status: 'undeclared', declarations: [], direction: 'internal', to: { owner: 'group:default/houston-flight-ops' } });
    expect(flow.undeclaredRequests).toEqual(expect.arrayContaining(['GET /', 'POST /ingest']));
    expect(flow.violations).toHaveLength(flow.undeclaredRequests!.length);
    expect(houston.matrices.enforced.entries).toContainEqual({ from: 'houston/flight-director', to: 'houston/telemetry-monitor', endpoints: ['8080/HTTP'] });
    expect(houston.matrices.intended.entries.find(e => e.from === 'houston/flight-director' && e.to === 'houston/telemetry-monitor')).toBeUndefined();
  });
});
