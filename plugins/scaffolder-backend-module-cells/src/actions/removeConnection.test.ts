import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { AccessDiffView } from '@cellplane/cells-common';
import { ARTEMIS_DIR, artemisDeps } from '../__testUtils__/fixtures';
import { removeConnectionAction } from './removeConnection';

const kennedy = fs.readFileSync(path.join(ARTEMIS_DIR, 'kennedy.yaml'), 'utf8');
const padStatus = '    - { to: pad-operations, endpoint: http, methods: [GET], paths: [/pad/status] }\n';

/** Kennedy with launch-control's connections written as block maps, a comment between two of them. */
const blockKennedy = kennedy.replace(
  /( {2}connections:\n)((?: {4}- \{ to: [^\n]+\n){4})/,
  (_, head: string, items: string) =>
    head +
    items
      .split('\n')
      .filter(Boolean)
      .map((line, i) => {
        const to = /to: ([\w-]+)/.exec(line)![1];
        const paths = /paths: \[([^\]]+)\]/.exec(line)![1];
        const method = /methods: \[(\w+)\]/.exec(line)![1];
        const comment = i === 2 ? '    # ground support, read only\n' : '';
        return `${comment}    - to: ${to}\n      endpoint: http\n      methods:\n        - ${method}\n      paths:\n        - ${paths}\n`;
      })
      .join(''),
);

describe('cellplane:connection:remove', () => {
  const dir = createMockDirectory();
  beforeEach(() => dir.clear());

  function run(input: JsonObject, content = kennedy) {
    dir.setContent({ 'ws/catalog-info.yaml': content });
    const { deps } = artemisDeps();
    const ctx = createMockActionContext({ input, workspacePath: dir.resolve('ws') });
    return { ctx, done: removeConnectionAction(deps).handler(ctx as any) };
  }
  const edited = () => fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8');
  const diffOf = (ctx: { output: unknown }) => (ctx.output as jest.Mock).mock.calls.find(c => c[0] === 'accessDiff')[1] as AccessDiffView;

  it('removes the line of the call, every other byte kept, and previews what is no longer allowed', async () => {
    const { ctx, done } = run({ from: 'launch-control', index: 1, to: 'component:default/pad-operations', endpoint: 'http' });
    await done;
    expect(kennedy).toContain(padStatus);
    expect(edited()).toBe(kennedy.replace(padStatus, ''));
    expect(ctx.output).toHaveBeenCalledWith('entityRef', 'component:default/launch-control');
    expect(ctx.output).toHaveBeenCalledWith('removed', { to: 'pad-operations', endpoint: 'http', methods: ['GET'], paths: ['/pad/status'] });
    const diff = diffOf(ctx);
    expect(diff.added).toEqual([]);
    expect(diff.removed.map(c => c.text)).toEqual(['kennedy/launch-control may no longer GET /pad/status on kennedy/pad-operations']);
  });

  it('removes a block item with its lines only; the comment above the next item stays', async () => {
    expect(blockKennedy).toContain('    # ground support, read only\n    - to: ground-systems\n');
    const padItem = '    - to: pad-operations\n      endpoint: http\n      methods:\n        - GET\n      paths:\n        - /pad/status\n';
    expect(blockKennedy).toContain(padItem);
    const { done } = run({ from: 'launch-control', index: 1, to: 'pad-operations' }, blockKennedy);
    await done;
    expect(edited()).toBe(blockKennedy.replace(padItem, ''));
  });

  it('takes the field away with its last call, the other documents untouched', async () => {
    const { ctx, done } = run({ from: 'pad-operations', index: 0, to: 'weather-station' });
    await done;
    const before = kennedy.split('\n---\n');
    const after = edited().split('\n---\n');
    const pad = before.findIndex(doc => doc.includes('name: pad-operations'));
    expect(after[pad]).toBe(before[pad].replace('  connections:\n    - { to: weather-station, endpoint: http, methods: [GET], paths: [/conditions] }\n', ''));
    expect(after.filter((_, i) => i !== pad)).toEqual(before.filter((_, i) => i !== pad));
    expect(diffOf(ctx).removed.map(c => c.text)).toEqual(['kennedy/pad-operations may no longer GET /conditions on kennedy/weather-station']);
  });

  it('works in a dry run (the workspace is the sandbox)', async () => {
    dir.setContent({ 'ws/catalog-info.yaml': kennedy });
    const { deps } = artemisDeps();
    const ctx = {
      ...createMockActionContext({ input: { from: 'launch-control', index: 1, to: 'pad-operations' }, workspacePath: dir.resolve('ws') }),
      isDryRun: true,
    };
    await removeConnectionAction(deps).handler(ctx as any);
    expect(edited()).toBe(kennedy.replace(padStatus, ''));
  });

  it.each([
    [
      'an index past the list, naming the range',
      { from: 'launch-control', index: 4, to: 'pad-operations' },
      /index: component:default\/launch-control has no spec\.connections\[4\] \(it declares 4\)\. Fix: pick one of spec\.connections\[0\.\.3\]/,
    ],
    [
      'an item that calls another target (the file changed since the form)',
      { from: 'launch-control', index: 0, to: 'pad-operations' },
      /to: spec\.connections\[0\] of component:default\/launch-control is .*flight-director.* not a call to component:default\/pad-operations\. Fix: the file changed since the form was filled; pick the call again/,
    ],
    [
      'another endpoint than the item names',
      { from: 'launch-control', index: 1, to: 'pad-operations', endpoint: 'grpc' },
      /not a call to component:default\/pad-operations endpoint grpc/,
    ],
    [
      'a component without connections',
      { from: 'ground-systems', index: 0, to: 'pad-operations' },
      /from: component:default\/ground-systems declares no connections in catalog-info\.yaml\. Fix: pick a component that calls another/,
    ],
    ['an unknown component', { from: 'rover', index: 0, to: 'pad-operations' }, /from: component:default\/rover is not a component in the catalog/],
    ['a target that is not a ref', { from: 'launch-control', index: 1, to: '' }, /to: "" is not an entity ref/],
    ['a file without the caller', { from: 'capcom', index: 0, to: 'comms-system' }, /filePath: catalog-info\.yaml does not declare component:default\/capcom/],
  ])('refuses %s and leaves the file alone', async (_, input, message) => {
    await expect(run(input).done).rejects.toThrow(message);
    expect(edited()).toBe(kennedy);
  });
});
