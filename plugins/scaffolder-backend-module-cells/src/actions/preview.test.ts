import { createMockDirectory } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { AccessDiffView } from '@cellplane/cells-common';
import { stringify } from 'yaml';
import { artemisDeps } from '../__testUtils__/fixtures';
import { previewAction } from './preview';

const clock = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'mission-clock' },
  spec: {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'group:houston-flight-ops',
    system: 'houston',
    endpoints: [
      {
        name: 'http',
        port: 8080,
        protocol: 'HTTP',
        visibility: 'organization',
      },
    ],
    connections: [
      {
        to: 'weather-station',
        endpoint: 'http',
        methods: ['GET'],
        paths: ['/conditions'],
      },
    ],
  },
};

describe('cellplane:preview', () => {
  const dir = createMockDirectory();
  beforeEach(() => dir.clear());

  function run(input: JsonObject, isDryRun = false) {
    const { deps } = artemisDeps();
    const ctx = {
      ...createMockActionContext({ input, workspacePath: dir.path }),
      isDryRun,
    };
    return { ctx, done: previewAction(deps).handler(ctx as any) };
  }
  const outputOf = (ctx: any, key: string) => (ctx.output as jest.Mock).mock.calls.find(c => c[0] === key)?.[1];

  it.each([false, true])('reports the manifests and the access diff of the workspace files (dry run: %s)', async isDryRun => {
    dir.setContent({ 'clock.yaml': stringify(clock) });
    const { ctx, done } = run({ filePaths: ['clock.yaml'] }, isDryRun);
    await done;
    const diff = outputOf(ctx, 'accessDiff') as AccessDiffView;
    expect(diff.added.map(c => c.text)).toContain('houston/mission-clock may now GET /conditions on kennedy/weather-station');
    expect(diff.removed).toEqual([]);
    expect(outputOf(ctx, 'cells')).toEqual(['system:default/houston']);
    expect(outputOf(ctx, 'manifests')).toMatch(/kind: ServiceAccount\n(.*\n)*\s+name: mission-clock/);
    expect(outputOf(ctx, 'preview')).toMatch(/^\| Newly allowed \| houston\/mission-clock may now GET \/conditions on kennedy\/weather-station \|/m);
  });

  it('refuses an entity the catalog would refuse', async () => {
    dir.setContent({
      'clock.yaml': stringify({
        ...clock,
        spec: { ...clock.spec, connections: [{ to: 'guidance-nav' }] },
      }),
    });
    await expect(run({ filePaths: ['clock.yaml'] }).done).rejects.toThrow(
      /component:default\/mission-clock: spec\.connections\[0\]\.to: endpoint http of component:default\/guidance-nav is visible only inside/,
    );
  });

  it('refuses a missing file and an unknown environment', async () => {
    await expect(run({ filePaths: ['nope.yaml'] }).done).rejects.toThrow(/filePaths\[0\]: nope\.yaml is not in the workspace/);
    dir.setContent({ 'clock.yaml': stringify(clock) });
    await expect(run({ filePaths: ['clock.yaml'], environment: 'production' }).done).rejects.toThrow(
      /environment: production is not configured\. Fix: use one of development/,
    );
  });
});
