import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { AccessDiffView } from '@cellplane/cells-common';
import { ARTEMIS_DIR, artemisDeps, artemisEntities } from '../__testUtils__/fixtures';
import { parseAllDocuments } from 'yaml';
import { addConnectionAction } from './addConnection';

const houston = fs.readFileSync(path.join(ARTEMIS_DIR, 'houston.yaml'), 'utf8');
const capcomLastConnection =
  '    - { to: signal-router, endpoint: http, methods: [GET] }\n  allowFrom:\n    - { component: flight-director, methods: [POST], paths: [/voice-loop] }';

describe('cellplane:connection:add', () => {
  const dir = createMockDirectory();
  beforeEach(() => dir.clear());

  /** The Artemis catalog as the catalog serves it: each entity annotated with the file it came from. */
  function localCatalog(folder: string): Entity[] {
    return artemisEntities().map(e => ({
      ...e,
      metadata: {
        ...e.metadata,
        annotations: {
          'backstage.io/managed-by-location': `file:${path.join(folder, 'houston.yaml')}`,
        },
      },
    }));
  }

  function run(input: JsonObject, options: { isDryRun?: boolean; cells?: any; entities?: Entity[] } = {}) {
    const { deps } = artemisDeps({
      cells: options.cells,
      entities: options.entities,
    });
    const ctx = {
      ...createMockActionContext({ input, workspacePath: dir.resolve('ws') }),
      isDryRun: options.isDryRun,
    };
    return { ctx, done: addConnectionAction(deps).handler(ctx as any) };
  }
  const call = {
    from: 'capcom',
    to: 'weather-station',
    endpoint: 'http',
    methods: ['GET'],
    paths: ['/conditions'],
  };

  it('adds the connection to the caller in its file, keeping every other byte', async () => {
    dir.setContent({ 'ws/catalog-info.yaml': houston });
    const { ctx, done } = run(call);
    await done;
    const edited = fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8');
    expect(edited).toBe(
      houston.replace(
        capcomLastConnection,
        capcomLastConnection.replace('  allowFrom:', '    - { to: weather-station, endpoint: http, methods: [GET], paths: [/conditions] }\n  allowFrom:'),
      ),
    );
    expect(ctx.output).toHaveBeenCalledWith('entityRef', 'component:default/capcom');
    expect(ctx.output).toHaveBeenCalledWith('filePath', 'catalog-info.yaml');
    const diff = (ctx.output as jest.Mock).mock.calls.find(c => c[0] === 'accessDiff')[1] as AccessDiffView;
    expect(diff.removed).toEqual([]);
    expect(diff.added.map(c => c.text)).toContain('houston/capcom may now GET /conditions on kennedy/weather-station');
    expect(diff.added.every(c => c.from === 'houston/capcom' && c.to === 'kennedy/weather-station')).toBe(true);
  });

  it('works in a dry run', async () => {
    dir.setContent({ 'ws/catalog-info.yaml': houston });
    const { ctx, done } = run(call, { isDryRun: true });
    await done;
    expect(fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8')).toContain('to: weather-station');
    expect(ctx.output).toHaveBeenCalledWith('entityRef', 'component:default/capcom');
  });

  it('starts from the local file of the caller when the local catalog folder is editable', async () => {
    dir.setContent({ 'catalog/houston.yaml': houston });
    const { done } = run(call, {
      entities: localCatalog(dir.resolve('catalog')),
      cells: {
        scaffolder: {
          localPublish: {
            enabled: true,
            path: dir.resolve('new'),
            editablePaths: [dir.resolve('catalog')],
          },
        },
      },
    });
    await done;
    expect(fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8')).toContain('to: weather-station');
    // The source itself is only written by the publish step.
    expect(fs.readFileSync(dir.resolve('catalog/houston.yaml'), 'utf8')).toBe(houston);
  });

  it('refuses to read a local file outside the editable folders', async () => {
    dir.setContent({ 'catalog/houston.yaml': houston });
    await expect(run(call, { entities: localCatalog(dir.resolve('catalog')) }).done).rejects.toThrow(
      /comes from .*houston\.yaml, outside the folders templates may edit\. Fix: add its folder to cells\.scaffolder\.localPublish\.editablePaths/,
    );
  });

  it('asks for the file when the caller does not come from a local file', async () => {
    await expect(run(call).done).rejects.toThrow(/has no backstage\.io\/managed-by-location annotation/);
  });

  it.each([
    [
      'a target whose visibility forbids the call',
      { to: 'guidance-nav', paths: ['/trajectory'] },
      /spec\.connections\[2\]\.to: endpoint http of component:default\/guidance-nav is visible only inside system:default\/orion.*Fix: ask the owners/s,
    ],
    ['an unknown target', { to: 'rover' }, /to: component:default\/rover is not a component in the catalog/],
    ['an unknown caller', { from: 'rover' }, /from: component:default\/rover is not a component in the catalog/],
    [
      'an unknown endpoint',
      { endpoint: 'grpc' },
      /spec\.connections\[2\]\.endpoint: component:default\/weather-station has no endpoint "grpc"\. Fix: name one of: http/,
    ],
    ['a bad path pattern', { paths: ['conditions'] }, /spec\.connections\[2\]\.paths/],
    ['a connection that is declared', { to: 'signal-router', methods: ['GET'], paths: [] }, /already declares this connection/],
    ['a file without the caller', { from: 'launch-control' }, /filePath: catalog-info\.yaml does not declare component:default\/launch-control/],
  ])('refuses %s and leaves the file alone', async (_, override, message) => {
    dir.setContent({ 'ws/catalog-info.yaml': houston });
    await expect(run({ ...call, ...override }).done).rejects.toThrow(message);
    expect(fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8')).toBe(houston);
  });
});

describe('cellplane:connection:add on a component without connections', () => {
  const dir = createMockDirectory();

  it('adds the list after the last line of its spec, in the style of its other lists, and leaves every other byte', async () => {
    const [first, ...rest] = houston.split('\n---\n');
    const withoutConnections = [first, ...rest.map(doc => (doc.includes('name: capcom') ? doc.replace(/ {2}connections:\n( {4}- .*\n)+/, '') : doc))].join(
      '\n---\n',
    );
    dir.setContent({ 'ws/catalog-info.yaml': withoutConnections });
    const { deps } = artemisDeps();
    const ctx = createMockActionContext({
      input: {
        from: 'capcom',
        to: 'weather-station',
        endpoint: 'http',
        methods: ['GET'],
      },
      workspacePath: dir.resolve('ws'),
    });
    await addConnectionAction(deps).handler(ctx as any);
    const lastGrant = '    - { component: flight-director, methods: [POST], paths: [/voice-loop] }\n';
    expect(withoutConnections).toContain(lastGrant);
    expect(fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8')).toBe(
      withoutConnections.replace(lastGrant, `${lastGrant}  connections:\n    - { to: weather-station, endpoint: http, methods: [GET] }\n`),
    );
  });

  it("writes who ran the task, its reason and link on the caller, and the reason on the connection; the file's other documents keep every byte", async () => {
    dir.setContent({ 'ws/catalog-info.yaml': houston });
    const { deps } = artemisDeps();
    const call = { from: 'capcom', to: 'weather-station', endpoint: 'http', methods: ['GET'], paths: ['/conditions'] };
    const ctx = createMockActionContext({
      input: { ...call, reason: 'go/no-go needs the launch weather' },
      workspacePath: dir.resolve('ws'),
      user: { ref: 'user:default/alice' },
      task: { id: 'task-7' },
    });
    await addConnectionAction(deps).handler(ctx as any);
    const edited = fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8');
    const docs = parseAllDocuments(edited).map(d => d.toJS() as Entity);
    const capcom = docs.find(d => d.metadata.name === 'capcom')!;
    expect(capcom.metadata.annotations).toEqual({
      'cellplane.io/change-by': 'user:default/alice',
      'cellplane.io/change-reason': 'go/no-go needs the launch weather',
      'cellplane.io/change-link': '/create/tasks/task-7',
      'cellplane.io/change-id': 'task-7',
    });
    expect((capcom.spec!.connections as JsonObject[]).at(-1)).toEqual({
      to: 'weather-station',
      endpoint: 'http',
      methods: ['GET'],
      paths: ['/conditions'],
      reason: 'go/no-go needs the launch weather',
    });
    // The annotation and connection lines are spliced in: every other byte of the file stays.
    const lastCall =
      '    - { to: signal-router, endpoint: http, methods: [GET] }\n  allowFrom:\n    - { component: flight-director, methods: [POST], paths: [/voice-loop] }';
    expect(houston).toContain(`  name: capcom\n`);
    expect(edited).toBe(
      houston
        .replace(
          '  name: capcom\n',
          [
            '  name: capcom',
            '  annotations:',
            '    cellplane.io/change-by: user:default/alice',
            '    cellplane.io/change-reason: go/no-go needs the launch weather',
            '    cellplane.io/change-link: /create/tasks/task-7',
            '    cellplane.io/change-id: task-7',
            '',
          ].join('\n'),
        )
        .replace(
          lastCall,
          lastCall.replace(
            '  allowFrom:',
            '    - { to: weather-station, endpoint: http, methods: [GET], paths: [/conditions], reason: go/no-go needs the launch weather }\n  allowFrom:',
          ),
        ),
    );

    // A second task replaces the annotations: no earlier reason lingers.
    const again = createMockActionContext({
      input: { from: 'capcom', to: 'comms-system', endpoint: 'http', methods: ['GET'], paths: ['/signal/strength'], changeLink: 'https://git.example/pr/9' },
      workspacePath: dir.resolve('ws'),
      user: { ref: 'user:default/bob' },
      task: { id: 'task-8' },
    });
    await addConnectionAction(artemisDeps({ entities: artemisEntities().map(e => (e.metadata.name === 'capcom' ? capcom : e)) }).deps).handler(again as any);
    const second = parseAllDocuments(fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8'))
      .map(d => d.toJS() as Entity)
      .find(d => d.metadata.name === 'capcom')!;
    expect(fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8')).toContain(
      '  annotations:\n    cellplane.io/change-by: user:default/bob\n    cellplane.io/change-link: https://git.example/pr/9\n    cellplane.io/change-id: task-8\n  description:',
    );
    expect(second.metadata.annotations).toEqual({
      'cellplane.io/change-by': 'user:default/bob',
      'cellplane.io/change-link': 'https://git.example/pr/9',
      'cellplane.io/change-id': 'task-8',
    });
  });
});
