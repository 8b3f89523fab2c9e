import fs from 'node:fs';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { validateCellEntity } from '@cellplane/cells-common';
import { parse } from 'yaml';
import { artemisDeps } from '../__testUtils__/fixtures';
import { createCellAction } from './createCell';

describe('cellplane:cell:create', () => {
  const dir = createMockDirectory();
  beforeEach(() => dir.clear());

  function run(input: JsonObject, options: { cells?: any; isDryRun?: boolean } = {}) {
    const { deps } = artemisDeps({ cells: options.cells });
    const ctx = {
      ...createMockActionContext({ input, workspacePath: dir.path }),
      isDryRun: options.isDryRun,
    };
    return { ctx, done: createCellAction(deps).handler(ctx as any) };
  }

  it('writes a valid cell owned by a catalog group and previews it', async () => {
    const { ctx, done } = run({
      name: 'lunar-gateway',
      owner: 'group:default/houston-flight-ops',
      environments: ['development'],
    });
    await done;
    const entity = parse(fs.readFileSync(dir.resolve('system-lunar-gateway.yaml'), 'utf8')) as Entity;
    expect(entity).toMatchObject({
      kind: 'System',
      metadata: { name: 'lunar-gateway' },
      spec: {
        owner: 'group:default/houston-flight-ops',
        cell: { environments: ['development'] },
      },
    });
    expect(validateCellEntity(entity)).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('entityRef', 'system:default/lunar-gateway');
    expect(ctx.output).toHaveBeenCalledWith('filePath', 'system-lunar-gateway.yaml');
    const manifests = (ctx.output as jest.Mock).mock.calls.find(c => c[0] === 'manifests')[1];
    expect(manifests).toContain('kind: Namespace');
    expect(manifests).toContain('lunar-gateway');
  });

  it('does the same in a dry run (the workspace is the sandbox)', async () => {
    const { ctx, done } = run({ name: 'lunar-gateway', owner: 'houston-flight-ops' }, { isDryRun: true });
    await done;
    expect(fs.existsSync(dir.resolve('system-lunar-gateway.yaml'))).toBe(true);
    expect(ctx.output).toHaveBeenCalledWith('entityRef', 'system:default/lunar-gateway');
  });

  it.each([
    [
      'a name that is no DNS label',
      { name: 'Lunar_Gateway', owner: 'houston-flight-ops' },
      /metadata\.name: "Lunar_Gateway" cannot name Kubernetes objects.*Fix: use lower-case/s,
    ],
    [
      'an unknown owner',
      { name: 'lunar-gateway', owner: 'group:default/nobody' },
      /owner: group:default\/nobody is not a group in the catalog\. Fix: pick an existing group/,
    ],
    ['an owner that is not a group', { name: 'lunar-gateway', owner: 'component:default/capcom' }, /owner: component:default\/capcom is not a group/],
    [
      'a cell that exists',
      { name: 'houston', owner: 'houston-flight-ops' },
      /name: system:default\/houston is already in the catalog\. Fix: pick another name/,
    ],
    [
      'an unknown environment',
      {
        name: 'lunar-gateway',
        owner: 'houston-flight-ops',
        environments: ['staging'],
      },
      /spec\.cell\.environments: environment "staging" is not configured/,
    ],
    [
      'a file path outside the workspace',
      {
        name: 'lunar-gateway',
        owner: 'houston-flight-ops',
        filePath: '../x.yaml',
      },
      /filePath: "\.\.\/x\.yaml" is outside the workspace/,
    ],
  ])('refuses %s', async (_, input, message) => {
    await expect(run(input).done).rejects.toThrow(message);
    expect(fs.readdirSync(dir.path)).toEqual([]);
  });

  it('refuses a name too long for the cell-env namespace scheme', async () => {
    const name = 'a'.repeat(60);
    await expect(run({ name, owner: 'houston-flight-ops' }, { cells: { naming: { scheme: 'cell-env' } } }).done).rejects.toThrow(
      /metadata\.name: the namespace a+-development is longer than 63 characters\. Fix: shorten the name to at most 51 characters/,
    );
  });

  it('never replaces a file in the workspace', async () => {
    dir.setContent({ 'system-lunar-gateway.yaml': '# mine\n' });
    await expect(run({ name: 'lunar-gateway', owner: 'houston-flight-ops' }).done).rejects.toThrow(/filePath: system-lunar-gateway\.yaml already exists/);
    expect(fs.readFileSync(dir.resolve('system-lunar-gateway.yaml'), 'utf8')).toBe('# mine\n');
  });
});
