import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { artemisEntities } from '../testing/artemis';
import { changeProblems, compileChange } from './change';
import { connectionSpec, newCellEntity, newComponentEntity, withConnection } from './entities';

const catalog = artemisEntities();
const byRef = (ref: string) => catalog.find(e => stringifyEntityRef(e) === ref)!;

describe('entity builders', () => {
  it('build a cell, and a component in the namespace of its cell with empty form fields left out', () => {
    expect(newCellEntity({ name: 'lunar-gateway', owner: 'group:default/houston-flight-ops', description: '' })).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name: 'lunar-gateway' },
      spec: { owner: 'group:default/houston-flight-ops', cell: {} },
    });
    const component = newComponentEntity({
      name: 'clock',
      cell: 'system:moon/base',
      owner: 'group:moon/crew',
      endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
      allowFrom: [{ system: 'system:moon/base', endpoint: '', methods: [], paths: ['/a'] }],
    });
    expect(component.metadata).toEqual({ name: 'clock', namespace: 'moon' });
    expect(component.spec).toMatchObject({
      type: 'service',
      lifecycle: 'experimental',
      system: 'system:moon/base',
      allowFrom: [{ system: 'system:moon/base', paths: ['/a'] }],
    });
  });

  it('name a target by name in the same namespace and append the connection', () => {
    expect(connectionSpec('component:default/capcom', 'component:default/weather-station', { endpoint: 'http', methods: [], paths: ['/x'] })).toEqual({
      to: 'weather-station',
      endpoint: 'http',
      paths: ['/x'],
    });
    expect(connectionSpec('component:default/capcom', 'component:moon/clock').to).toBe('component:moon/clock');
    const capcom = byRef('component:default/capcom');
    const edited = withConnection(capcom, { to: 'weather-station' });
    expect((edited.spec as any).connections).toHaveLength(3);
    expect((capcom.spec as any).connections).toHaveLength(2);
  });
});

describe('a proposed change', () => {
  it('is refused with the field and the fix when the visibility forbids the grant', () => {
    const entity = newComponentEntity({
      name: 'vault',
      cell: 'system:default/houston',
      owner: 'group:default/houston-flight-ops',
      endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
      allowFrom: [{ system: 'system:default/orion' }],
    });
    expect(changeProblems(catalog, [entity], DEFAULT_SETTINGS)).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/vault',
        field: 'spec.allowFrom[0].system',
        message: expect.stringMatching(/visible only inside system:default\/houston/),
      }),
    ]);
  });

  it('compiles the touched cell and reports the access it opens', () => {
    const capcom = byRef('component:default/capcom');
    const edited = withConnection(
      capcom,
      connectionSpec('component:default/capcom', 'component:default/weather-station', { endpoint: 'http', methods: ['GET'], paths: ['/conditions'] }),
    );
    expect(changeProblems(catalog, [edited], DEFAULT_SETTINGS)).toEqual([]);
    const change = compileChange(catalog, [edited], DEFAULT_SETTINGS, 'development');
    expect(change.cells).toEqual(['system:default/houston']);
    expect(change.compiled.map(c => c.cell)).toEqual(['system:default/houston']);
    expect(change.accessDiff.added.map(a => a.text)).toContain('houston/capcom may now GET /conditions on kennedy/weather-station');
    expect(change.accessDiff.removed).toEqual([]);
  });

  it('reports removed access when a connection goes', () => {
    const capcom = byRef('component:default/capcom') as Entity & { spec: any };
    const fewer = { ...capcom, spec: { ...capcom.spec, connections: capcom.spec.connections.slice(1) } };
    const change = compileChange(catalog, [fewer], DEFAULT_SETTINGS, 'development');
    expect(change.accessDiff.added).toEqual([]);
    expect(change.accessDiff.removed.some(r => /houston\/capcom may no longer POST \/uplink on orion\/comms-system/.test(r.text))).toBe(true);
  });
});
