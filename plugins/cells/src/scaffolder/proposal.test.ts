import { buildProposal } from './proposal';

const houston = { entityRef: 'system:default/houston', title: 'Houston', owner: 'group:default/houston-flight-ops', environments: [] };

describe('buildProposal', () => {
  it('builds the System of "New cell" once it has a name and an owner', () => {
    expect(buildProposal('cell', { name: 'lunar' })).toEqual({ missing: 'the name and the owner team' });
    expect(buildProposal('cell', { name: 'lunar', owner: 'houston-flight-ops', environments: ['development'], description: '' })).toEqual({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'System',
          metadata: { name: 'lunar' },
          spec: { owner: 'group:default/houston-flight-ops', cell: { environments: ['development'] } },
        },
      ],
    });
  });

  it('builds the Component of "New service in a cell", owned by its cell\'s owner', () => {
    const form = {
      name: 'clock',
      cell: 'system:default/houston',
      endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }],
      allowFrom: [{ system: 'system:default/orion', methods: ['GET'], paths: ['/status'], endpoint: '' }],
    };
    expect(buildProposal('component', form, { cells: [] })).toEqual({ missing: 'a cell the cells backend knows (system:default/houston is not one yet)' });
    const proposal = buildProposal('component', form, { cells: [houston] });
    expect(proposal).toEqual({
      entities: [
        expect.objectContaining({
          kind: 'Component',
          metadata: { name: 'clock' },
          spec: expect.objectContaining({
            owner: 'group:default/houston-flight-ops',
            system: 'system:default/houston',
            allowFrom: [{ system: 'system:default/orion', methods: ['GET'], paths: ['/status'] }],
          }),
        }),
      ],
    });
  });

  it('adds the connection of "Allow a call" to the caller as the catalog has it', () => {
    const form = { from: 'component:default/capcom', target: { component: 'component:default/comms-system', endpoint: 'http' }, access: { methods: ['GET'] } };
    expect(buildProposal('connection', { from: 'component:default/capcom' })).toEqual({ missing: 'the caller and the target endpoint' });
    expect(buildProposal('connection', form)).toEqual({ missing: 'component:default/capcom in the catalog' });
    const capcom = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'capcom', uid: 'x' },
      spec: { system: 'houston', connections: [{ to: 'signal-router' }] },
      relations: [{ type: 'partOf', targetRef: 'system:default/houston' }],
    };
    const proposal = buildProposal('connection', form, { caller: capcom });
    expect(proposal).toEqual({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'capcom', uid: 'x' },
          spec: { system: 'houston', connections: [{ to: 'signal-router' }, { to: 'comms-system', endpoint: 'http', methods: ['GET'] }] },
        },
      ],
    });
  });

  const launch = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'launch-control', uid: 'x' },
    spec: { system: 'kennedy', connections: [{ to: 'flight-director' }, { to: 'pad-operations', endpoint: 'http' }] },
    relations: [{ type: 'partOf', targetRef: 'system:default/kennedy' }],
  };

  it('adds the entry of "Allow an external call": only the chosen branch, one port as port', () => {
    const host = { component: 'launch-control', destination: 'host', host: 'api.weather.gov', protocol: 'HTTP', ports: [80], access: { methods: ['GET'] } };
    expect(buildProposal('egress', { component: 'launch-control', destination: 'host', ports: [443] })).toEqual({
      missing: 'the component, the destination and its ports',
    });
    expect(buildProposal('egress', host)).toEqual({ missing: 'component:default/launch-control in the catalog' });
    expect(buildProposal('egress', host, { caller: launch })).toEqual({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'launch-control', uid: 'x' },
          spec: { ...launch.spec, egress: [{ host: 'api.weather.gov', port: 80, protocol: 'HTTP', methods: ['GET'] }] },
        },
      ],
    });
    // A host typed before switching to a network is not sent.
    const cidr = { ...host, destination: 'cidr', cidr: '10.20.9.0/24', except: ['10.20.9.0/28'], cidrProtocol: 'TCP', ports: [5432, 5433] };
    const proposal = buildProposal('egress', cidr, { caller: launch }) as { entities: { spec?: { egress?: unknown[] } }[] };
    expect(proposal.entities[0].spec?.egress).toEqual([{ cidr: '10.20.9.0/24', except: ['10.20.9.0/28'], ports: [5432, 5433], protocol: 'TCP' }]);
  });

  it('takes the picked call of "Remove a call" off the caller as the catalog has it', () => {
    expect(buildProposal('remove-connection', { from: 'launch-control' })).toEqual({ missing: 'the caller and the call to remove' });
    const form = { from: 'launch-control', call: { index: 1, to: 'component:default/pad-operations' } };
    expect(buildProposal('remove-connection', form)).toEqual({ missing: 'component:default/launch-control in the catalog' });
    expect(buildProposal('remove-connection', form, { caller: launch })).toEqual({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: launch.metadata,
          spec: { system: 'kennedy', connections: [{ to: 'flight-director' }] },
        },
      ],
    });
  });
});
