import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ResponseError } from '@backstage/errors';
import type { PreviewBody, PreviewResponse } from '../api/types';
import { cellsApiRef } from '../api/CellsApi';
import { mockCellsApi } from '../components/testApi';
import { AccessPreview, validateAccessPreview } from './AccessPreview';
import { fieldProps } from './testFields';

const houston = { entityRef: 'system:default/houston', title: 'Houston', owner: 'group:default/houston-flight-ops', environments: [] };

const answer: PreviewResponse = {
  environment: 'development',
  entities: ['component:default/clock'],
  cells: [
    {
      entityRef: 'system:default/houston',
      namespace: 'houston',
      exists: true,
      objects: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'clock', namespace: 'houston' } },
        { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'clock', namespace: 'houston' } },
      ],
    },
  ],
  accessDiff: {
    added: [
      {
        from: 'orion/guidance-nav',
        to: 'houston/clock',
        port: 8080,
        method: 'GET',
        path: '/status',
        layer: 'L7',
        text: 'orion/guidance-nav may now GET /status on houston/clock',
      },
    ],
    removed: [
      { from: 'houston/capcom', to: 'orion/comms-system', port: 8080, layer: 'L7', text: 'houston/capcom may no longer POST /uplink on orion/comms-system' },
    ],
  },
};

const serviceForm = {
  name: 'clock',
  cell: 'system:default/houston',
  endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }],
  allowFrom: [{ system: 'system:default/orion', methods: ['GET'], paths: ['/status'] }],
};

const schema = { type: 'object', title: 'Access after this change' };

describe('AccessPreview', () => {
  it('shows the access the new service adds and removes, and the manifests, and keeps the diff as its value', async () => {
    const api = mockCellsApi({ listCells: jest.fn(async () => ({ items: [houston] })), preview: jest.fn(async (_body: PreviewBody) => answer) });
    const onChange = jest.fn();
    renderInTestApp(
      <AccessPreview
        {...fieldProps({ name: 'accessPreview', schema, uiSchema: { 'ui:options': { kind: 'component' } }, formContext: { formData: serviceForm }, onChange })}
      />,
      {
        apis: [
          [cellsApiRef, api],
          [catalogApiRef, catalogApiMock()],
        ],
      },
    );
    const added = await screen.findByRole('list', { name: 'newly allowed' });
    expect(added).toHaveTextContent('orion/guidance-nav may now GET /status on houston/clock');
    expect(screen.getByRole('list', { name: 'no longer allowed' })).toHaveTextContent('houston/capcom may no longer POST /uplink on orion/comms-system');
    expect(screen.getByText('1 request newly allowed, 1 no longer allowed in development.')).toBeInTheDocument();
    expect(screen.getByText(/in namespace houston: 2 objects \(1 ServiceAccount, 1 AuthorizationPolicy\)/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Show the manifests' }));
    expect(screen.getByLabelText('manifests of system:default/houston')).toHaveTextContent('kind: ServiceAccount');

    // The entity sent is the one the component action writes, owned by the cell's owner.
    expect(api.preview).toHaveBeenCalledTimes(1);
    const [entity] = (api.preview as jest.Mock).mock.calls[0][0].entities;
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: { name: 'clock' },
      spec: { owner: 'group:default/houston-flight-ops', system: 'system:default/houston', allowFrom: serviceForm.allowFrom },
    });
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith({
        summary: '1 request newly allowed, 1 no longer allowed in development',
        added: ['orion/guidance-nav may now GET /status on houston/clock'],
        removed: ['houston/capcom may no longer POST /uplink on orion/comms-system'],
      }),
    );
  });

  it('previews "Allow a call" on the caller as the catalog has it', async () => {
    const capcom = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'capcom', namespace: 'default' },
      spec: { type: 'service', lifecycle: 'production', owner: 'group:default/houston-flight-ops', system: 'houston', connections: [{ to: 'signal-router' }] },
    };
    const api = mockCellsApi({
      preview: jest.fn(async (_body: PreviewBody): Promise<PreviewResponse> => ({ ...answer, accessDiff: { added: answer.accessDiff.added, removed: [] } })),
    });
    renderInTestApp(
      <AccessPreview
        {...fieldProps({
          name: 'accessPreview',
          schema,
          uiSchema: { 'ui:options': { kind: 'connection' } },
          formContext: {
            formData: {
              from: 'component:default/capcom',
              target: { component: 'component:default/weather-station', endpoint: 'http' },
              access: { methods: ['GET'], paths: ['/conditions'] },
            },
          },
        })}
      />,
      {
        apis: [
          [cellsApiRef, api],
          [catalogApiRef, catalogApiMock({ entities: [capcom] })],
        ],
      },
    );
    expect(await screen.findByRole('list', { name: 'newly allowed' })).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'no longer allowed' })).toBeNull();
    const [entity] = (api.preview as jest.Mock).mock.calls[0][0].entities;
    expect(entity.spec.connections).toEqual([{ to: 'signal-router' }, { to: 'weather-station', endpoint: 'http', methods: ['GET'], paths: ['/conditions'] }]);
  });

  it('shows what the catalog would refuse, and that holds the form back', async () => {
    const said =
      'the catalog would refuse this change: component:default/clock: spec.allowFrom[0].system: endpoint http is visible only inside system:default/houston';
    const refusal = await ResponseError.fromResponse(
      new Response(JSON.stringify({ error: { name: 'InputError', message: said } }), {
        status: 400,
        statusText: 'Bad Request',
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    // As CellsClient does: the backend's own message first.
    refusal.message = `${said} (400 Bad Request)`;
    const api = mockCellsApi({
      listCells: jest.fn(async () => ({ items: [houston] })),
      preview: jest.fn(async (_body: PreviewBody): Promise<PreviewResponse> => Promise.reject(refusal)),
    });
    const onChange = jest.fn();
    renderInTestApp(
      <AccessPreview
        {...fieldProps({ name: 'accessPreview', schema, uiSchema: { 'ui:options': { kind: 'component' } }, formContext: { formData: serviceForm }, onChange })}
      />,
      {
        apis: [
          [cellsApiRef, api],
          [catalogApiRef, catalogApiMock()],
        ],
      },
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('spec.allowFrom[0].system: endpoint http is visible only inside system:default/houston');
    await waitFor(() => expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ refused: expect.stringContaining('visible only inside') })));
    const errors: string[] = [];
    validateAccessPreview(onChange.mock.lastCall[0], { addError: e => errors.push(e) });
    validateAccessPreview({ summary: 'Loading the access preview', loading: true }, { addError: e => errors.push(e) });
    validateAccessPreview({ summary: 'No request changes its verdict in development' }, { addError: e => errors.push(e) });
    expect(errors).toEqual([expect.stringContaining('visible only inside'), 'the access preview is still loading; wait for it, then go on']);
  });

  it('says what the form still lacks before asking the backend', async () => {
    const api = mockCellsApi({ listCells: jest.fn(async () => ({ items: [houston] })), preview: jest.fn() });
    renderInTestApp(
      <AccessPreview
        {...fieldProps({ name: 'accessPreview', schema, uiSchema: { 'ui:options': { kind: 'cell' } }, formContext: { formData: { name: 'lunar' } } })}
      />,
      {
        apis: [
          [cellsApiRef, api],
          [catalogApiRef, catalogApiMock()],
        ],
      },
    );
    const region = screen.getByLabelText('access preview');
    expect(await within(region).findByText('Give the name and the owner team to see the access this change opens.')).toBeInTheDocument();
    expect(api.preview).not.toHaveBeenCalled();
  });
});
