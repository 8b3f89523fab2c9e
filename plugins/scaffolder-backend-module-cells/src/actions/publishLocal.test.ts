import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { stringify } from 'yaml';
import { ARTEMIS_DIR, artemisDeps, artemisEntities } from '../__testUtils__/fixtures';
import { publishLocalAction } from './publishLocal';

const houston = fs.readFileSync(path.join(ARTEMIS_DIR, 'houston.yaml'), 'utf8');
const newComponent: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'mission-clock' },
  spec: {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'group:houston-flight-ops',
    system: 'houston',
    endpoints: [],
  },
};

describe('cellplane:publish:local', () => {
  const dir = createMockDirectory();
  beforeEach(() => dir.clear());

  function setup(options: { enabled?: boolean; isDryRun?: boolean; input: JsonObject }) {
    const catalogDir = dir.resolve('artemis');
    const publishDir = dir.resolve('local-catalog');
    const entities: Entity[] = [
      ...artemisEntities().map(e => ({
        ...e,
        metadata: {
          ...e.metadata,
          annotations: {
            'backstage.io/managed-by-location': `file:${path.join(catalogDir, 'houston.yaml')}`,
          },
        },
      })),
      // The Location app-config makes for the local catalog folder.
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Location',
        metadata: { name: 'generated-local' },
        spec: { type: 'file', target: path.join(publishDir, '*.yaml') },
      },
    ];
    const { deps, catalog } = artemisDeps({
      entities,
      cells: {
        scaffolder: {
          localPublish: {
            enabled: options.enabled ?? true,
            path: publishDir,
            editablePaths: [catalogDir],
          },
        },
      },
    });
    const refresh = jest.spyOn(catalog, 'refreshEntity');
    const ctx = {
      ...createMockActionContext({
        input: options.input,
        workspacePath: dir.resolve('ws'),
      }),
      isDryRun: options.isDryRun,
    };
    return {
      ctx,
      refresh,
      publishDir,
      catalogDir,
      done: publishLocalAction(deps).handler(ctx as any),
    };
  }

  it('copies a new entity file into the local catalog folder and refreshes its location', async () => {
    dir.setContent({
      'ws/component-mission-clock.yaml': stringify(newComponent),
    });
    const { ctx, refresh, publishDir, done } = setup({
      input: { filePaths: ['component-mission-clock.yaml'] },
    });
    await done;
    expect(fs.readFileSync(path.join(publishDir, 'component-mission-clock.yaml'), 'utf8')).toBe(stringify(newComponent));
    expect(refresh).toHaveBeenCalledWith('location:default/generated-local', expect.anything());
    expect(ctx.output).toHaveBeenCalledWith('entityRefs', ['component:default/mission-clock']);
  });

  it('writes an edited entity back to the file it came from and refreshes it', async () => {
    const edited = `${houston}# edited\n`;
    dir.setContent({
      'artemis/houston.yaml': houston,
      'ws/catalog-info.yaml': edited,
    });
    const { refresh, catalogDir, done } = setup({
      input: { filePaths: ['catalog-info.yaml'] },
    });
    await done;
    expect(fs.readFileSync(path.join(catalogDir, 'houston.yaml'), 'utf8')).toBe(edited);
    expect(refresh).toHaveBeenCalledWith('component:default/capcom', expect.anything());
    expect(refresh).toHaveBeenCalledWith('system:default/houston', expect.anything());
  });

  it('writes nothing in a dry run', async () => {
    dir.setContent({
      'ws/component-mission-clock.yaml': stringify(newComponent),
    });
    const { refresh, publishDir, done } = setup({
      isDryRun: true,
      input: { filePaths: ['component-mission-clock.yaml'] },
    });
    await done;
    expect(fs.existsSync(publishDir)).toBe(false);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('is refused unless the config enables it', async () => {
    dir.setContent({
      'ws/component-mission-clock.yaml': stringify(newComponent),
    });
    const { publishDir, done } = setup({
      enabled: false,
      input: { filePaths: ['component-mission-clock.yaml'] },
    });
    await expect(done).rejects.toThrow(/Local publishing is off\. Fix: set cells\.scaffolder\.localPublish\.enabled: true/);
    expect(fs.existsSync(publishDir)).toBe(false);
  });

  it('never replaces a published file', async () => {
    dir.setContent({
      'ws/component-mission-clock.yaml': stringify(newComponent),
      'local-catalog/component-mission-clock.yaml': '# mine\n',
    });
    const { publishDir, done } = setup({
      input: { filePaths: ['component-mission-clock.yaml'] },
    });
    await expect(done).rejects.toThrow(/filePaths\[0\]: .*component-mission-clock\.yaml already exists/);
    expect(fs.readFileSync(path.join(publishDir, 'component-mission-clock.yaml'), 'utf8')).toBe('# mine\n');
  });

  it('refuses a file that mixes new and existing entities', async () => {
    dir.setContent({
      'artemis/houston.yaml': houston,
      'ws/catalog-info.yaml': `${houston}---\n${stringify(newComponent)}`,
    });
    const { catalogDir, done } = setup({
      input: { filePaths: ['catalog-info.yaml'] },
    });
    await expect(done).rejects.toThrow(/mixes new entities with entities of other files/);
    expect(fs.readFileSync(path.join(catalogDir, 'houston.yaml'), 'utf8')).toBe(houston);
  });

  it('refuses a workspace path outside the workspace', async () => {
    await expect(setup({ input: { filePaths: ['../artemis/houston.yaml'] } }).done).rejects.toThrow(/outside the workspace/);
  });
});
