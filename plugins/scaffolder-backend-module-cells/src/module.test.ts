import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory, mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { buildCellModel, compileCells, DEFAULT_SETTINGS, validateCellEntity, validateConnectionTargets } from '@cellplane/cells-common';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import request from 'supertest';
import { parse, parseAllDocuments } from 'yaml';
import { ARTEMIS_DIR, artemisEntities } from './__testUtils__/fixtures';
import scaffolderModuleCells from '.';

const TEMPLATES_DIR = path.resolve(__dirname, '../../../examples/templates');

function template(name: string): Entity {
  return parse(fs.readFileSync(path.join(TEMPLATES_DIR, name, 'template.yaml'), 'utf8'));
}

/** The catalog the core sees after the change: the produced files' entities in place of those of the same ref. */
function checkWithCore(produced: Entity[]) {
  const refs = new Set(produced.map(e => stringifyEntityRef(e)));
  const after = [...artemisEntities().filter(e => !refs.has(stringifyEntityRef(e))), ...produced];
  const index = new Map(after.map(e => [stringifyEntityRef(e), e]));
  for (const entity of produced) {
    expect(validateCellEntity(entity)).toEqual([]);
    expect(validateConnectionTargets(entity, ref => index.get(ref))).toEqual([]);
  }
  const { model, problems } = buildCellModel(after, {
    defaultEnvironments: ['development'],
  });
  expect(problems).toEqual([]);
  const compiled = compileCells(model, DEFAULT_SETTINGS);
  expect(compiled.problems).toEqual([]);
  return { model, compiled };
}

describe('the Cellplane templates through the scaffolder dry-run API', () => {
  const publishDir = createMockDirectory();
  const catalogDir = createMockDirectory();
  let server: any;

  beforeAll(async () => {
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleCells,
        // The catalog: the Artemis II entities in catalog-node's in-memory catalog service.
        catalogServiceMock.factory({
          entities: artemisEntities(catalogDir.path),
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            cells: {
              scaffolder: {
                localPublish: {
                  enabled: true,
                  path: publishDir.path,
                  editablePaths: [catalogDir.path],
                },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
  });

  async function dryRun(name: string, values: Record<string, unknown>) {
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({ template: template(name), values, directoryContents: [] });
    return res;
  }

  /** The log lines of a step, e.g. the dry run of the local publish. */
  function logOf(body: any, stepId: string): string[] {
    return body.log.filter((l: any) => l.body.stepId === stepId).map((l: any) => l.body.message);
  }

  function files(body: any): Record<string, string> {
    return Object.fromEntries(body.directoryContents.map((f: any) => [f.path, Buffer.from(f.base64Content, 'base64').toString('utf8')]));
  }

  it("use Cellplane's form fields, and end with the access preview", () => {
    const fieldsOf = (name: string) => JSON.stringify(template(name).spec!.parameters).match(/"ui:field":"Cells\w+"/g);
    expect(fieldsOf('cellplane-new-cell')).toEqual(['"ui:field":"CellsAccessPreview"']);
    expect(fieldsOf('cellplane-new-service')).toEqual([
      '"ui:field":"CellsCellPicker"',
      '"ui:field":"CellsAuthProviderPicker"',
      '"ui:field":"CellsCellPicker"',
      '"ui:field":"CellsMethodsPaths"',
      '"ui:field":"CellsAccessPreview"',
    ]);
    expect(fieldsOf('cellplane-allow-call')).toEqual(['"ui:field":"CellsEndpointPicker"', '"ui:field":"CellsMethodsPaths"', '"ui:field":"CellsAccessPreview"']);
    expect(fieldsOf('cellplane-allow-egress')).toEqual(['"ui:field":"CellsMethodsPaths"', '"ui:field":"CellsAccessPreview"']);
    expect(fieldsOf('cellplane-remove-call')).toEqual(['"ui:field":"CellsConnectionPicker"', '"ui:field":"CellsAccessPreview"']);
    for (const name of ['cellplane-new-cell', 'cellplane-new-service', 'cellplane-allow-call', 'cellplane-allow-egress', 'cellplane-remove-call']) {
      const steps = template(name).spec!.parameters as any[];
      expect(steps[steps.length - 1].properties.accessPreview['ui:field']).toBe('CellsAccessPreview');
    }
  });

  it('lists the Cellplane actions', async () => {
    const res = await request(server).get('/api/scaffolder/v2/actions').set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const ids = res.body.map((a: any) => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'cellplane:cell:create',
        'cellplane:component:create',
        'cellplane:connection:add',
        'cellplane:connection:remove',
        'cellplane:egress:add',
        'cellplane:preview',
        'cellplane:publish:local',
      ]),
    );
    expect(res.body.find((a: any) => a.id === 'cellplane:component:create').examples.length).toBeGreaterThan(0);
  });

  it('New cell: a valid cell, previewed, not published in a dry run', async () => {
    const res = await dryRun('cellplane-new-cell', {
      name: 'lunar-gateway',
      owner: 'group:default/houston-flight-ops',
    });
    expect(res.status).toBe(200);
    const produced = files(res.body);
    expect(Object.keys(produced)).toEqual(['system-lunar-gateway.yaml']);
    const { compiled } = checkWithCore([parse(produced['system-lunar-gateway.yaml'])]);
    expect(compiled.cells.map(c => c.cellName)).toContain('lunar-gateway');
    expect(res.body.output.text[0].content).toContain('Access in development');
    expect(logOf(res.body, 'publish').join('\n')).toMatch(/Would write .*system-lunar-gateway\.yaml \(system:default\/lunar-gateway\)/);
    expect(fs.readdirSync(publishDir.path)).toEqual([]);
  });

  it('New service in a cell: a component whose grants compile into the cell', async () => {
    const res = await dryRun('cellplane-new-service', {
      name: 'mission-clock',
      cell: 'system:default/houston',
      endpoints: [
        {
          name: 'http',
          port: 8080,
          protocol: 'HTTP',
          visibility: 'organization',
        },
      ],
      allowFrom: [
        {
          system: 'system:default/orion',
          endpoint: 'http',
          methods: ['GET'],
          paths: ['/status'],
        },
      ],
    });
    expect(res.status).toBe(200);
    const produced = files(res.body);
    const entity = parse(produced['component-mission-clock.yaml']);
    const { model, compiled } = checkWithCore([entity]);
    expect(model.grants.filter(g => g.callee === 'component:default/mission-clock').map(g => g.caller)).toEqual(
      expect.arrayContaining([{ kind: 'component', ref: 'component:default/guidance-nav' }]),
    );
    const houston = compiled.cells.find(c => c.cellName === 'houston')!;
    expect(houston.objects.some(o => o.kind === 'ServiceAccount' && o.metadata?.name === 'mission-clock')).toBe(true);
    expect(res.body.output.text[0].content).toContain('may now GET /status on houston/mission-clock');
  });

  it('New service in a cell: a public endpoint says who may call it through the gateway, checked against cells.gateway.jwtProviders', async () => {
    const publicService = (auth?: string) =>
      dryRun('cellplane-new-service', {
        name: 'mission-clock',
        cell: 'system:default/houston',
        endpoints: [{ name: 'web', port: 8443, protocol: 'HTTP', visibility: 'public', ...(auth ? { auth } : {}) }],
      });
    const open = await publicService('none');
    expect(open.status).toBe(200);
    const entity = parse(files(open.body)['component-mission-clock.yaml']);
    expect(entity.spec.endpoints[0].auth).toBe('none');
    // Valid under requireAuthentication (true by default): the gateway is granted the endpoint.
    const { model } = checkWithCore([entity]);
    expect(model.grants.filter(g => g.callee === 'component:default/mission-clock').map(g => g.caller.kind)).toEqual(['gateway']);
    // This portal defines no provider: one named is refused with what may be picked.
    const unknown = await publicService('artemis-idp');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('endpoints[0].auth: \\"artemis-idp\\" is not a provider of cells.gateway.jwtProviders. Fix: pick none.');
    const missing = await publicService();
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toMatch(/auth/);
  });

  it('New service in a cell: a grant the visibility forbids fails the run with the field and the fix', async () => {
    const res = await dryRun('cellplane-new-service', {
      name: 'mission-clock',
      cell: 'system:default/houston',
      endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
      allowFrom: [{ system: 'system:default/orion' }],
    });
    // The action's InputError ends the dry run as a bad request.
    expect(res.status).toBe(400);
    const messages = JSON.stringify(res.body);
    expect(messages).toMatch(/spec\.allowFrom\[0\]\.system: endpoint http is visible only inside system:default\/houston/);
    expect(res.body.directoryContents ?? []).toEqual([]);
  });

  it('Allow a call: the caller file gains the connection, comments kept; the dry run leaves the catalog file alone', async () => {
    // The values as the form's endpoint picker and methods/paths editor give them.
    const res = await dryRun('cellplane-allow-call', {
      from: 'component:default/capcom',
      target: { component: 'component:default/weather-station', endpoint: 'http' },
      access: { methods: ['GET'], paths: ['/conditions'] },
      accessPreview: {
        summary: '1 request newly allowed, none no longer allowed in development',
        added: ['houston/capcom may now GET /conditions on kennedy/weather-station'],
      },
    });
    expect(res.status).toBe(200);
    const produced = files(res.body);
    expect(Object.keys(produced)).toEqual(['catalog-info.yaml']);
    expect(produced['catalog-info.yaml']).toContain('# Launch control hands over to Houston');
    const entities = parseAllDocuments(produced['catalog-info.yaml']).map(d => d.toJS() as Entity);
    const { model } = checkWithCore(entities);
    expect(model.grants).toContainEqual(
      expect.objectContaining({
        caller: { kind: 'component', ref: 'component:default/capcom' },
        callee: 'component:default/weather-station',
        methods: ['GET'],
        paths: ['/conditions'],
      }),
    );
    expect(res.body.output.text[0].content).toContain('houston/capcom may now GET /conditions on kennedy/weather-station');
    expect(fs.readFileSync(path.join(catalogDir.path, 'houston.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(ARTEMIS_DIR, 'houston.yaml'), 'utf8'));
  });

  const kennedyFile = () => fs.readFileSync(path.join(ARTEMIS_DIR, 'kennedy.yaml'), 'utf8');

  it('Allow an external call: a host inside the ceiling, written into the component file, previewed', async () => {
    const res = await dryRun('cellplane-allow-egress', {
      component: 'component:default/launch-control',
      destination: 'host',
      host: 'api.weather.gov',
      protocol: 'TLS',
      ports: [443],
    });
    expect(res.status).toBe(200);
    const produced = files(res.body);
    expect(Object.keys(produced)).toEqual(['catalog-info.yaml']);
    expect(produced['catalog-info.yaml']).toContain('  egress:\n    - { host: api.weather.gov, port: 443, protocol: TLS }\n');
    checkWithCore(parseAllDocuments(produced['catalog-info.yaml']).map(d => d.toJS() as Entity));
    expect(res.body.output.text[0].content).toContain('kennedy/launch-control may now reach api.weather.gov:443 (TLS)');
    expect(fs.readFileSync(path.join(catalogDir.path, 'kennedy.yaml'), 'utf8')).toBe(kennedyFile());
  });

  it("Allow an external call: a network takes only the network branch's values (a host typed before switching is left out)", async () => {
    const res = await dryRun('cellplane-allow-egress', {
      component: 'component:default/launch-control',
      destination: 'cidr',
      host: 'api.weather.gov',
      protocol: 'TLS',
      access: { methods: ['GET'] },
      cidr: '10.20.9.0/24',
      except: ['10.20.9.0/28'],
      cidrProtocol: 'TCP',
      ports: [5432],
      reason: 'launch history database',
    });
    expect(res.status).toBe(200);
    expect(files(res.body)['catalog-info.yaml']).toContain(
      '  egress:\n    - { cidr: 10.20.9.0/24, except: [10.20.9.0/28], port: 5432, protocol: TCP, reason: launch history database }\n',
    );
    expect(res.body.output.text[0].content).toContain('kennedy/launch-control may now reach 10.20.9.129:5432 (TCP)');
  });

  it('Allow an external call: a host outside the ceiling fails the run naming the ceiling and the fix', async () => {
    const res = await dryRun('cellplane-allow-egress', {
      component: 'component:default/launch-control',
      destination: 'host',
      host: 'api.example.com',
      protocol: 'TLS',
      ports: [443],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(
      /spec\.egress\[0\]\.host: api\.example\.com is outside the egress ceiling of system:default\/kennedy.*Fix: ask the owners of system:default\/kennedy to add api\.example\.com to spec\.cell\.egress\.hosts/,
    );
  });

  it('Remove a call: the connection leaves the caller file, and the preview says what is no longer allowed', async () => {
    // The value as the connection picker gives it.
    const res = await dryRun('cellplane-remove-call', {
      from: 'component:default/launch-control',
      call: { index: 1, to: 'component:default/pad-operations', endpoint: 'http', text: 'pad-operations · http GET /pad/status' },
    });
    expect(res.status).toBe(200);
    const produced = files(res.body)['catalog-info.yaml'];
    expect(produced).toBe(kennedyFile().replace('    - { to: pad-operations, endpoint: http, methods: [GET], paths: [/pad/status] }\n', ''));
    checkWithCore(parseAllDocuments(produced).map(d => d.toJS() as Entity));
    expect(res.body.output.text[0].content).toContain('kennedy/launch-control may no longer GET /pad/status on kennedy/pad-operations');
  });
});
