import fs from 'node:fs';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { AccessDiffView, validateCellEntity, validateConnectionTargets } from '@cellplane/cells-common';
import { parse } from 'yaml';
import { artemisDeps } from '../__testUtils__/fixtures';
import { createComponentAction } from './createComponent';

const http = {
  name: 'http',
  port: 8080,
  protocol: 'HTTP',
  visibility: 'organization',
};

describe('cellplane:component:create', () => {
  const dir = createMockDirectory();
  beforeEach(() => dir.clear());

  function run(input: JsonObject, isDryRun?: boolean) {
    const { deps, entities } = artemisDeps();
    const ctx = {
      ...createMockActionContext({ input, workspacePath: dir.path }),
      isDryRun,
    };
    return {
      ctx,
      entities,
      done: createComponentAction(deps).handler(ctx as any),
    };
  }
  const outputOf = (ctx: any, key: string) => (ctx.output as jest.Mock).mock.calls.find(c => c[0] === key)?.[1];

  it('writes a component in a cell that the catalog accepts, with the access it opens', async () => {
    const { ctx, entities, done } = run({
      name: 'mission-clock',
      cell: 'system:default/houston',
      endpoints: [http],
      allowFrom: [
        {
          system: 'orion',
          endpoint: 'http',
          methods: ['GET'],
          paths: ['/status'],
          component: '',
        },
      ],
    });
    await done;
    const entity = parse(fs.readFileSync(dir.resolve('component-mission-clock.yaml'), 'utf8')) as Entity;
    expect(entity.spec).toEqual({
      type: 'service',
      lifecycle: 'experimental',
      owner: 'group:houston-flight-ops',
      system: 'system:default/houston',
      endpoints: [http],
      allowFrom: [
        {
          system: 'orion',
          endpoint: 'http',
          methods: ['GET'],
          paths: ['/status'],
        },
      ],
    });
    const index = new Map([...entities, entity].map(e => [`${e.kind.toLowerCase()}:default/${e.metadata.name}`, e]));
    expect(validateCellEntity(entity)).toEqual([]);
    expect(validateConnectionTargets(entity, ref => index.get(ref))).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('entityRef', 'component:default/mission-clock');
    const diff = outputOf(ctx, 'accessDiff') as AccessDiffView;
    expect(diff.removed).toEqual([]);
    const fromOrion = diff.added.filter(c => c.from.startsWith('orion/') && c.to === 'houston/mission-clock');
    expect(fromOrion.length).toBeGreaterThan(0);
    expect(fromOrion.every(c => c.method === 'GET' && c.path === '/status')).toBe(true);
    // Nobody else gets in: no other cell's component is admitted.
    expect(diff.added.filter(c => /^(kennedy|esa-ops|deep-space-network)\//.test(c.from))).toEqual([]);
    expect(outputOf(ctx, 'preview')).toContain('may now GET /status on houston/mission-clock');
    expect(outputOf(ctx, 'manifests')).toContain('AuthorizationPolicy');
  });

  describe('a public endpoint', () => {
    const gateway = {
      gateway: { jwtProviders: [{ name: 'artemis-idp', issuer: 'https://idp.artemis.example', jwksUri: 'https://idp.artemis.example/keys' }] },
    };
    const web = { name: 'web', port: 8443, protocol: 'HTTP', visibility: 'public' };
    function runWith(endpoints: JsonObject[]) {
      const { deps } = artemisDeps({ cells: gateway });
      const ctx = createMockActionContext({ input: { name: 'mission-clock', cell: 'houston', endpoints }, workspacePath: dir.path });
      return { ctx, done: createComponentAction(deps).handler(ctx as any) };
    }
    const written = () => parse(fs.readFileSync(dir.resolve('component-mission-clock.yaml'), 'utf8')) as Entity;

    it.each([
      ['artemis-idp', { provider: 'artemis-idp' }],
      ['none', 'none'],
    ])('with auth %s is written as auth: %j, valid under requireAuthentication', async (auth, spec) => {
      const { ctx, done } = runWith([{ ...web, auth }]);
      await done;
      expect((written().spec as any).endpoints).toEqual([{ ...web, auth: spec }]);
      expect(validateCellEntity(written())).toEqual([]);
      // The gateway is granted the new endpoint: the access diff admits it.
      expect((outputOf(ctx, 'accessDiff') as AccessDiffView).added.some(c => c.from === 'gateway' && c.to === 'houston/mission-clock')).toBe(true);
    });

    it('refuses a provider the platform does not define, naming the ones it may pick', async () => {
      await expect(runWith([{ ...web, auth: 'elsewhere-idp' }]).done).rejects.toThrow(
        'endpoints[0].auth: "elsewhere-idp" is not a provider of cells.gateway.jwtProviders. Fix: pick artemis-idp, none.',
      );
      expect(fs.readdirSync(dir.path)).toEqual([]);
    });

    it('refuses it without auth (requireAuthentication is true by default)', async () => {
      await expect(runWith([web]).done).rejects.toThrow(/spec\.endpoints\[0\]\.auth: public endpoint web declares no authentication/);
    });
  });

  it('works in a dry run', async () => {
    const { ctx, done } = run({ name: 'mission-clock', cell: 'houston', endpoints: [http] }, true);
    await done;
    expect(ctx.output).toHaveBeenCalledWith('filePath', 'component-mission-clock.yaml');
  });

  it.each([
    [
      'an unknown cell',
      { cell: 'lunar' },
      /cell: system:default\/lunar is not a cell in the catalog\. Fix: pick one of: deep-space-network, esa-ops, houston, kennedy, orion/,
    ],
    ['a component that exists', { name: 'capcom' }, /name: component:default\/capcom is already in the catalog/],
    ['a bad name', { name: 'Mission.Clock' }, /metadata\.name: "Mission\.Clock" cannot name Kubernetes objects/],
    ['a port of the mesh', { endpoints: [{ ...http, port: 15008 }] }, /spec\.endpoints\[0\]\.port: port 15008 is reserved.*Fix: pick a port outside/s],
    ['a bad endpoint name', { endpoints: [{ ...http, name: 'HTTP_API' }] }, /spec\.endpoints\[0\]\.name: "HTTP_API" is not a valid endpoint name/],
    [
      'a public endpoint that is not HTTP',
      { endpoints: [{ ...http, protocol: 'TCP', visibility: 'public' }] },
      /spec\.endpoints\[0\]\.visibility: a public endpoint must be HTTP/,
    ],
    [
      'a grant to an unknown component',
      { allowFrom: [{ component: 'rover' }] },
      /spec\.allowFrom\[0\]\.component: component:default\/rover is not in the catalog\. Fix: name an existing component/,
    ],
    [
      'a grant to an unknown endpoint',
      { allowFrom: [{ system: 'orion', endpoint: 'grpc' }] },
      /spec\.allowFrom\[0\]\.endpoint: component:default\/mission-clock has no endpoint "grpc"/,
    ],
    [
      'a grant the visibility forbids',
      {
        endpoints: [{ ...http, visibility: 'project' }],
        allowFrom: [{ system: 'orion' }],
      },
      /spec\.allowFrom\[0\]\.system: endpoint http is visible only inside system:default\/houston.*Fix: make the endpoint organization-visible/s,
    ],
    ['a bad path pattern', { allowFrom: [{ system: 'orion', paths: ['status'] }] }, /spec\.allowFrom\[0\]\.paths/],
    [
      'methods on a TCP endpoint',
      {
        endpoints: [{ ...http, protocol: 'TCP' }],
        allowFrom: [{ system: 'orion', methods: ['GET'] }],
      },
      /methods\/paths cannot be enforced on TCP endpoint/,
    ],
    ['an owner that is not in the catalog', { owner: 'group:default/nobody' }, /owner: group:default\/nobody is not a group in the catalog/],
  ])('refuses %s', async (_, override, message) => {
    const input = {
      name: 'mission-clock',
      cell: 'houston',
      endpoints: [http],
      ...override,
    };
    await expect(run(input).done).rejects.toThrow(message);
    expect(fs.readdirSync(dir.path)).toEqual([]);
  });
});
