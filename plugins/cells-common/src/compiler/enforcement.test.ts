import fs from 'node:fs';
import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { readCellsSettings } from '../settings/read';
import { artemisEntities } from '../testing/artemis';
import { buildCellModel, modelOptions } from '../validation/catalog';
import { compileCells } from '.';
import { enforcementOf, keptInAudit, keptInEgressAudit } from './enforcement';
import { CompiledObjectRole, compiledObjectRole } from './names';
import { toYaml } from './yaml';

const AUDIT_GOLDEN_DIR = path.resolve(__dirname, '__golden__/artemis-audit');

describe('enforcementOf: a cell audits when it or its environment says audit', () => {
  it.each([
    [undefined, undefined, 'enforce'],
    [undefined, 'enforce', 'enforce'],
    [undefined, 'audit', 'audit'],
    ['enforce', undefined, 'enforce'],
    ['enforce', 'enforce', 'enforce'],
    ['enforce', 'audit', 'audit'],
    ['audit', undefined, 'audit'],
    ['audit', 'enforce', 'audit'],
    ['audit', 'audit', 'audit'],
  ] as const)('cell %s, environment %s: %s', (cell, environment, mode) => {
    expect(enforcementOf(cell, environment)).toBe(mode);
  });
});

describe('keptInAudit: only objects that cannot deny a call stay', () => {
  const table: [CompiledObjectRole | undefined, boolean][] = [
    ['namespace', true],
    ['service-account', true],
    ['service', true],
    ['deployer-role', true],
    ['deployer-binding', true],
    ['waypoint', true],
    ['public-route', true],
    ['default-deny', false],
    ['allow-dns', false],
    ['waypoint-l4', false],
    ['component-l4', false],
    ['strict-mtls', false],
    ['component-l7', false],
    ['waypoint-only', false],
    [undefined, false],
  ];
  it.each(table)('%s: %s', (role, kept) => {
    expect(keptInAudit(role)).toBe(kept);
  });

  it.each([
    ['Namespace', true],
    ['Gateway', true],
    ['ServiceEntry', true],
    ['AuthorizationPolicy', false],
    ['NetworkPolicy', false],
    ['CiliumNetworkPolicy', false],
    ['ConfigMap', false],
  ])('egress namespace %s: %s', (kind, kept) => {
    expect(keptInEgressAudit({ apiVersion: 'v1', kind, metadata: { name: 'x' } })).toBe(kept);
  });
});

/** Artemis with `enforcement` set on the named cells' Systems. */
function auditing(cells: string[]): Entity[] {
  return artemisEntities().map(e =>
    e.kind === 'System' && cells.includes(e.metadata.name) ? { ...e, spec: { ...e.spec, cell: { ...(e.spec as any).cell, enforcement: 'audit' } } } : e,
  );
}

describe('compiling a cell in audit', () => {
  const enforced = compileCells(buildCellModel(artemisEntities(), modelOptions(DEFAULT_SETTINGS)).model, DEFAULT_SETTINGS);
  const { model, problems } = buildCellModel(auditing(['houston']), modelOptions(DEFAULT_SETTINGS));
  const audited = compileCells(model, DEFAULT_SETTINGS);
  const houston = audited.cells.find(c => c.cellName === 'houston')!;
  const files = [
    { name: 'houston.yaml', yaml: toYaml(houston.objects) },
    ...audited.egress.map(e => ({ name: `_egress.${e.environment}.yaml`, yaml: toYaml(e.objects) })),
  ];

  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(AUDIT_GOLDEN_DIR, { recursive: true });
    for (const file of files) fs.writeFileSync(path.join(AUDIT_GOLDEN_DIR, file.name), file.yaml);
  }

  it('compiles without problems and marks only the audited cell', () => {
    expect([...problems, ...audited.problems]).toEqual([]);
    expect(audited.cells.filter(c => c.audit).map(c => c.cellName)).toEqual(['houston']);
  });

  it('keeps the namespace, identities, Services, RBAC, waypoint and routes, and nothing that denies', () => {
    const roles = [...new Set(houston.objects.map(o => compiledObjectRole(o)))].sort();
    expect(roles).toEqual(['deployer-binding', 'deployer-role', 'namespace', 'public-route', 'service', 'service-account', 'waypoint']);
    const before = enforced.cells.find(c => c.cellName === 'houston')!.objects;
    expect(houston.objects).toEqual(before.filter(o => keptInAudit(compiledObjectRole(o))));
  });

  it('leaves the other cells as they were', () => {
    for (const cell of audited.cells.filter(c => c.cellName !== 'houston')) {
      expect(cell.objects).toEqual(enforced.cells.find(c => c.cell === cell.cell)!.objects);
    }
  });

  it("keeps the shared egress namespace enforcing, admitting the audited cell's namespace beside the declared callers", () => {
    const houstonNamespace = houston.namespace;
    const policies = audited.egress[0].objects.filter(o => o.kind === 'AuthorizationPolicy');
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      const rules = (policy.spec as { rules: unknown[] }).rules;
      expect(rules[rules.length - 1]).toEqual({ from: [{ source: { namespaces: [houstonNamespace] } }] });
      // Everything else is what the enforcing compile has.
      const before = enforced.egress[0].objects.find(o => o.kind === policy.kind && o.metadata.name === policy.metadata.name)!;
      expect(rules.slice(0, -1)).toEqual((before.spec as { rules: unknown[] }).rules);
    }
  });

  it('leaves the egress namespace out only when the whole environment audits', () => {
    const settings = readCellsSettings({ environments: [{ name: 'development', enforcement: 'audit' }] });
    const all = compileCells(buildCellModel(artemisEntities(), modelOptions(settings)).model, settings);
    expect(all.egress[0].objects.map(o => o.kind).sort()).toEqual(['Gateway', 'Namespace', 'ServiceEntry']);
    // What is kept names the entities that declared it, not every audited cell.
    expect(all.egress[0].objects.map(o => o.metadata.annotations?.['cellplane.io/source'])).toEqual(
      all.egress[0].objects.map(() => 'component:default/weather-station'),
    );
  });

  it('audits every cell of an environment configured with enforcement: audit', () => {
    const settings = readCellsSettings({ environments: [{ name: 'development', enforcement: 'audit' }] });
    const all = compileCells(buildCellModel(artemisEntities(), modelOptions(settings)).model, settings);
    expect(all.cells.map(c => c.audit)).toEqual(all.cells.map(() => true));
  });

  it.each(files.map(f => [f.name, f.yaml] as const))('%s matches its golden file', (name, yaml) => {
    expect(yaml).toBe(fs.readFileSync(path.join(AUDIT_GOLDEN_DIR, name), 'utf8'));
  });
});

describe('enforcement fails closed on a value it does not know', () => {
  it('refuses a misspelled spec.cell.enforcement, naming the entity, the field and the fix; the cell is not compiled', () => {
    const entities = artemisEntities().map(e =>
      e.kind === 'System' && e.metadata.name === 'houston' ? { ...e, spec: { ...e.spec, cell: { ...(e.spec as any).cell, enforcement: 'shadow' } } } : e,
    );
    const { model, problems } = buildCellModel(entities, modelOptions(DEFAULT_SETTINGS));
    expect(problems).toContainEqual(
      expect.objectContaining({
        entityRef: 'system:default/houston',
        field: 'spec.cell.enforcement',
        message: '"shadow" is not an enforcement mode',
        fix: expect.stringContaining('enforcement: audit'),
      }),
    );
    expect(model.cells.map(c => c.ref)).not.toContain('system:default/houston');
  });

  it('refuses a misspelled key beside it', () => {
    const entities = artemisEntities().map(e =>
      e.kind === 'System' && e.metadata.name === 'houston' ? { ...e, spec: { ...e.spec, cell: { ...(e.spec as any).cell, enforcment: 'audit' } } } : e,
    );
    const { problems } = buildCellModel(entities, modelOptions(DEFAULT_SETTINGS));
    expect(problems.map(p => [p.entityRef, p.field])).toContainEqual(['system:default/houston', 'spec.cell.enforcment']);
  });

  it('refuses an environment enforcement it does not know, naming the key', () => {
    expect(() => readCellsSettings({ environments: [{ name: 'development', enforcement: 'off' }] })).toThrow(
      'cells.environments[0].enforcement: "off" is not one of audit, enforce. Fix: use one of audit, enforce.',
    );
    expect(readCellsSettings({ environments: [{ name: 'development', enforcement: 'enforce' }] }).environments[0].enforcement).toBe('enforce');
    expect(readCellsSettings({ environments: [{ name: 'development' }] }).environments[0].enforcement).toBeUndefined();
  });
});
