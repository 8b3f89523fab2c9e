import { buildCellModel } from '../validation/catalog';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { artemisEntities } from '../testing/artemis';
import { createSimulation, verifySimulation } from './index';
import { AllowedRequest } from './verify';

const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
const sim = createSimulation(model, DEFAULT_SETTINGS, 'development');
const cellOf = new Map(model.components.map(c => [c.ref, c.cell]));
const key = (a: AllowedRequest) => [a.label, a.callee, a.endpoint, a.method, a.path, a.direct].join(' ');
function callerCell(a: AllowedRequest): string | undefined {
  if (a.caller.kind === 'component') return cellOf.get(a.caller.ref);
  return a.caller.kind === 'rogue' ? a.caller.cell : undefined;
}

describe('verify recording the allowed requests', () => {
  const whole = verifySimulation(sim, { recordAllowed: true });

  it('changes nothing else, and records only requests the catalog declares on a clean catalog', () => {
    const plain = verifySimulation(sim);
    expect(plain.allowed).toBeUndefined();
    expect({ ...whole, allowed: undefined }).toEqual({ ...plain, allowed: undefined });
    expect(whole.violations).toEqual([]);
    expect(whole.allowed!.length).toBeGreaterThan(20);
    expect(whole.allowed!.every(a => a.expected)).toBe(true);
  });

  it('names the layers that admitted each request, with their policies', () => {
    const uplink = whole.allowed!.find(
      a => a.label === 'component:default/capcom' && a.callee === 'component:default/comms-system' && a.method === 'POST' && a.path === '/uplink',
    );
    expect(uplink).toBeDefined();
    expect(uplink!.layers.map(l => l.layer)).toEqual(['L3/L4', 'mTLS', 'L7']);
    expect(uplink!.layers.every(l => l.policies.length > 0)).toBe(true);
  });

  it.each(model.cells.map(c => c.ref))('with cell and outbound, records exactly the requests into, out of and within %s', cell => {
    const scoped = verifySimulation(sim, { cell, outbound: true, recordAllowed: true });
    const expected = whole
      .allowed!.filter(a => cellOf.get(a.callee) === cell || callerCell(a) === cell)
      .map(key)
      .sort();
    expect(scoped.allowed!.map(key).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    // Without outbound, only the requests into the cell.
    const inbound = verifySimulation(sim, { cell, recordAllowed: true });
    expect(inbound.allowed!.map(key).sort()).toEqual(
      whole
        .allowed!.filter(a => cellOf.get(a.callee) === cell)
        .map(key)
        .sort(),
    );
  });
});

describe('verify counting by layer', () => {
  it('counts every request once: allowed, or denied by the layer that decided', () => {
    const cell = 'system:default/houston';
    const counted = verifySimulation(sim, { cell, outbound: true, recordAllowed: true, countLayers: true });
    const plain = verifySimulation(sim, { cell, outbound: true, recordAllowed: true });
    expect({ ...counted, counts: undefined }).toEqual({ ...plain, counts: undefined });
    const { allowed, deniedBy } = counted.counts!;
    expect(allowed).toBe(counted.allowed!.length);
    expect(allowed + deniedBy['L3/L4'] + deniedBy.mTLS + deniedBy.L7).toBe(counted.checks);
    // Undeclared operations of declared callers stop at L7; other cells' pods never get onto the network.
    expect(deniedBy.L7).toBeGreaterThan(0);
    expect(deniedBy['L3/L4']).toBeGreaterThan(0);
  });
});
