import { Entity } from '@backstage/catalog-model';
import { cell, component, withOwners } from '../testing/entities';
import { readCellsSettings, SettingsError } from '../settings/read';
import { buildCellModel as buildModel, formatProblem, validateCellEntity } from './catalog';
import { MAX_REASON_LENGTH } from './reason';

/** The model of a catalog whose owners are all registered Groups (owners must be, to become RBAC subjects). */
const buildCellModel = (list: Entity[], opts: Parameters<typeof buildModel>[1]) => buildModel(withOwners(list), opts);

const options = { defaultEnvironments: ['development'] };
const entities = (spec: Record<string, unknown>) => [
  cell('a'),
  cell('b'),
  component('caller', 'a', spec),
  component('target', 'b'),
  component('neighbour', 'a'),
];

describe('reason on connections and allowFrom grants', () => {
  it('carries a connection reason, trimmed, into its grant', () => {
    const { model, problems } = buildCellModel(
      entities({ connections: [{ to: 'target', endpoint: 'http', methods: ['GET'], reason: '  reads the status page (TICKET-12)\n' }] }),
      options,
    );
    expect(problems).toEqual([]);
    expect(model.grants).toEqual([expect.objectContaining({ callee: 'component:default/target', reason: 'reads the status page (TICKET-12)' })]);
  });

  it('carries an allowFrom reason into every grant a cell-wide entry expands to', () => {
    const { model, problems } = buildCellModel(
      [
        cell('a'),
        cell('b'),
        component('x', 'a'),
        component('y', 'a'),
        component('target', 'b', { allowFrom: [{ system: 'a', methods: ['GET'], reason: 'cell a reads reports' }] }),
      ],
      options,
    );
    expect(problems).toEqual([]);
    expect(model.grants.map(g => [(g.caller as { ref: string }).ref, g.reason])).toEqual([
      ['component:default/x', 'cell a reads reports'],
      ['component:default/y', 'cell a reads reports'],
    ]);
  });

  it('leaves reason out of a grant that gives none', () => {
    const { model } = buildCellModel(entities({ connections: [{ to: 'target', endpoint: 'http' }] }), options);
    expect(model.grants).toHaveLength(1);
    expect('reason' in model.grants[0]).toBe(false);
  });

  it.each([
    ['empty', '   ', /must be non-empty text/],
    ['not text', 42, /must be non-empty text/],
    ['too long', 'x'.repeat(MAX_REASON_LENGTH + 1), new RegExp(`more than ${MAX_REASON_LENGTH}`)],
    ['with control characters', 'bell\u0007', /control characters/],
  ])('refuses a reason that is %s, and builds no grant from the declaration', (_, reason, message) => {
    const { model, problems } = buildCellModel(entities({ connections: [{ to: 'target', endpoint: 'http', reason }] }), options);
    expect(problems).toEqual([
      expect.objectContaining({ entityRef: 'component:default/caller', field: 'spec.connections[0].reason', message: expect.stringMatching(message) }),
    ]);
    expect(model.grants).toEqual([]);
  });

  it('accepts a reason of exactly the maximum length, with line breaks', () => {
    const reason = `line one\n${'x'.repeat(MAX_REASON_LENGTH - 9)}`;
    expect(validateCellEntity(component('caller', 'a', { connections: [{ to: 'target', reason }] }))).toEqual([]);
  });

  it('with requireReasons, a declaration without one is an error naming the field and the fix, and grants nothing', () => {
    const { model, problems } = buildCellModel(
      entities({
        connections: [
          { to: 'target', endpoint: 'http', reason: 'needed' },
          { to: 'neighbour', endpoint: 'http' },
        ],
        allowFrom: [{ component: 'neighbour' }],
      }),
      { ...options, requireReasons: true },
    );
    expect(problems.map(formatProblem)).toEqual([
      'component:default/caller: spec.allowFrom[0].reason: gives no reason, and cells.compliance.requireReasons requires one on every connection and allowFrom grant. Fix: add reason: "<why this access is needed>" (free text, at most 500 characters).',
      'component:default/caller: spec.connections[1].reason: gives no reason, and cells.compliance.requireReasons requires one on every connection and allowFrom grant. Fix: add reason: "<why this access is needed>" (free text, at most 500 characters).',
    ]);
    expect(model.grants.map(g => g.callee)).toEqual(['component:default/target']);
  });

  it('without requireReasons, a declaration may go without one', () => {
    expect(validateCellEntity(component('caller', 'a', { connections: [{ to: 'target' }] }), { requireReasons: false })).toEqual([]);
    expect(validateCellEntity(component('caller', 'a', { connections: [{ to: 'target' }] }), { requireReasons: true })).toHaveLength(1);
  });

  it('still refuses a misspelled reason key', () => {
    expect(validateCellEntity(component('caller', 'a', { connections: [{ to: 'target', reasons: 'typo' }] }))).toEqual([
      expect.objectContaining({ field: 'spec.connections[0].reasons', message: 'unknown field "reasons"' }),
    ]);
  });
});

describe('cells.compliance.requireReasons', () => {
  it('defaults to false and reads true', () => {
    expect(readCellsSettings(undefined).compliance.requireReasons).toBe(false);
    expect(readCellsSettings({}).compliance.requireReasons).toBe(false);
    expect(readCellsSettings({ compliance: { requireReasons: true } }).compliance.requireReasons).toBe(true);
  });

  it('refuses a value that is not a boolean', () => {
    expect(() => readCellsSettings({ compliance: { requireReasons: 'yes' } })).toThrow(SettingsError);
    expect(() => readCellsSettings({ compliance: { requireReasons: 'yes' } })).toThrow('cells.compliance.requireReasons: must be true or false');
    expect(() => readCellsSettings({ compliance: 'strict' })).toThrow('cells.compliance: must be an object');
  });
});
