import { screen, waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ResponseError } from '@backstage/errors';
import type { PreviewBody, PreviewResponse, TrafficResponse } from '../api/types';
import { cellsApiRef } from '../api/CellsApi';
import { mockCellsApi } from '../components/testApi';
import { AccessPreview } from './AccessPreview';
import { observedCalls } from './ObservedUse';
import { fieldProps } from './testFields';

/** The preview of the two templates that edit a component: "Allow an external call" and "Remove a call". */

const schema = { type: 'object', title: 'Access after this change' };
const launch = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'launch-control', namespace: 'default' },
  spec: { system: 'kennedy', connections: [{ to: 'flight-director' }, { to: 'pad-operations', endpoint: 'http' }] },
};
const change = (text: string, from: string, to: string) => ({ text, from, to, port: 8080, layer: 'L7', policies: [] });
const removal: PreviewResponse = {
  environment: 'development',
  entities: ['component:default/launch-control'],
  cells: [],
  accessDiff: {
    added: [],
    removed: [change('kennedy/launch-control may no longer GET /pad/status on kennedy/pad-operations', 'kennedy/launch-control', 'kennedy/pad-operations')],
  },
};
const window = { from: '2026-12-01T12:00:00.000Z', to: '2026-12-02T12:00:00.000Z' };
const edge = (from: string, to: string, count: number, cls: TrafficResponse['edges'][number]['class'], lastSeen?: string) => ({
  from,
  to,
  protocol: 'HTTP' as const,
  count,
  class: cls,
  ...(lastSeen ? { lastSeen } : {}),
});
const traffic: TrafficResponse = {
  environment: 'development',
  window,
  sources: ['prometheus'],
  counts: { 'declared-seen': 2, 'declared-unused': 1, 'undeclared-allowed': 0, denied: 1 },
  edges: [
    edge('component:default/launch-control', 'component:default/pad-operations', 40, 'declared-seen', '2026-12-02T11:00:00.000Z'),
    edge('component:default/launch-control', 'component:default/pad-operations', 2, 'declared-seen', '2026-12-02T11:30:00.000Z'),
    edge('component:default/launch-control', 'component:default/pad-operations', 7, 'denied'),
    edge('component:default/launch-control', 'component:default/flight-director', 0, 'declared-unused'),
  ],
};
const removeForm = { from: 'component:default/launch-control', call: { index: 1, to: 'component:default/pad-operations', endpoint: 'http' } };

function renderPreview(kind: string, formData: Record<string, unknown>, api: ReturnType<typeof mockCellsApi>, onChange = jest.fn()) {
  renderInTestApp(
    <AccessPreview {...fieldProps({ name: 'accessPreview', schema, uiSchema: { 'ui:options': { kind } }, formContext: { formData }, onChange })} />,
    {
      apis: [
        [cellsApiRef, api],
        [catalogApiRef, catalogApiMock({ entities: [launch] })],
      ],
    },
  );
  return onChange;
}

describe('observedCalls', () => {
  it("sums the pair's allowed calls, with the latest time; denied and unused edges are not use", () => {
    expect(observedCalls(traffic, 'component:default/launch-control', 'component:default/pad-operations')).toEqual({
      count: 42,
      lastSeen: '2026-12-02T11:30:00.000Z',
      window,
    });
    expect(observedCalls(traffic, 'component:default/launch-control', 'component:default/flight-director').count).toBe(0);
  });
});

describe('the access preview of an edit', () => {
  it('"Remove a call": the access no longer allowed, and a warning with the observed count, kept in the value', async () => {
    const api = mockCellsApi({ preview: jest.fn(async (_body: PreviewBody) => removal), getTraffic: jest.fn(async () => traffic) });
    const onChange = renderPreview('remove-connection', removeForm, api);
    expect(await screen.findByRole('list', { name: 'no longer allowed' })).toHaveTextContent(
      'kennedy/launch-control may no longer GET /pad/status on kennedy/pad-operations',
    );
    const warning =
      'launch-control called pad-operations 42 times between 2026-12-01T12:00:00.000Z and 2026-12-02T12:00:00.000Z (last 2026-12-02T11:30:00.000Z): the call is in use, and removing it denies these calls once the cell is enforced.';
    expect(await screen.findByText(warning)).toBeInTheDocument();
    expect(api.getTraffic).toHaveBeenCalledWith({ environment: 'development' });
    const [entity] = (api.preview as jest.Mock).mock.calls[0][0].entities;
    expect(entity.spec.connections).toEqual([{ to: 'flight-director' }]);
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith({
        summary: '0 requests newly allowed, 1 no longer allowed in development',
        removed: ['kennedy/launch-control may no longer GET /pad/status on kennedy/pad-operations'],
        inUse: warning,
      }),
    );
  });

  it('"Remove a call": the observed calls the backend says it would break, with layer and policy, kept in the value', async () => {
    const breaking: PreviewResponse = {
      ...removal,
      observed: {
        window,
        sources: ['prometheus http://127.0.0.1:9090'],
        wouldBreak: [
          {
            from: 'component:default/launch-control',
            to: 'component:default/pad-operations',
            protocol: 'HTTP',
            count: 930,
            lastSeen: '2026-12-02T11:00:00.000Z',
            endpoint: 'http',
            layer: 'L7',
            policy: 'dp-kennedy/pad-operations',
            reason: 'RBAC: access denied',
          },
        ],
        noLongerBroken: [],
        unjudged: [],
        alreadyDenied: 1,
      },
    };
    const api = mockCellsApi({ preview: jest.fn(async (_body: PreviewBody) => breaking), getTraffic: jest.fn(async () => traffic) });
    const onChange = renderPreview('remove-connection', removeForm, api);
    const list = await screen.findByLabelText('observed calls it would break');
    const said = 'launch-control -> pad-operations HTTP (930 calls, last 2026-12-02T11:00:00.000Z): denied at L7 by dp-kennedy/pad-operations';
    expect(list).toHaveTextContent(`1 observed call would break once the cells enforce (calls seen between ${window.from} and ${window.to})`);
    expect(list).toHaveTextContent(said);
    expect(list).toHaveTextContent('RBAC: access denied');
    expect(list).toHaveTextContent('1 observed call is denied by the enforce-mode policies with or without it.');
    await waitFor(() => expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ wouldBreak: [said] })));
  });

  it('a change that breaks nothing observed says so, and lists the calls enforcing would have denied that it lets through', async () => {
    const mended = {
      from: 'component:default/pad-operations',
      to: 'component:default/launch-control',
      protocol: 'HTTP' as const,
      count: 411,
      lastSeen: window.to,
      layer: 'L7' as const,
      policy: 'dp-kennedy/launch-control',
      reason: 'RBAC: access denied',
    };
    const calm: PreviewResponse = {
      ...removal,
      observed: { window, sources: ['prometheus'], wouldBreak: [], noLongerBroken: [mended], unjudged: [], alreadyDenied: 0 },
    };
    const onChange = renderPreview(
      'remove-connection',
      removeForm,
      mockCellsApi({ preview: jest.fn(async (_body: PreviewBody) => calm), getTraffic: jest.fn(async () => traffic) }),
    );
    expect(await screen.findByLabelText('observed calls it would break')).toHaveTextContent(
      `None of the calls observed between ${window.from} and ${window.to} (prometheus) would break once the cells enforce.`,
    );
    const said = 'pad-operations -> launch-control HTTP (411 calls): no longer denied at L7 by dp-kennedy/launch-control';
    expect(screen.getByLabelText('observed calls it lets through')).toHaveTextContent(said);
    await waitFor(() => expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ noLongerBroken: [said] })));
    expect(onChange.mock.calls[onChange.mock.calls.length - 1][0].wouldBreak).toBeUndefined();
  });

  it('"Remove a call" of a call nobody made in the window says so', async () => {
    const unused = { ...removeForm, call: { index: 0, to: 'component:default/flight-director' } };
    renderPreview(
      'remove-connection',
      unused,
      mockCellsApi({ preview: jest.fn(async (_body: PreviewBody) => removal), getTraffic: jest.fn(async () => traffic) }),
    );
    expect(
      await screen.findByText(/No call from component:default\/launch-control to component:default\/flight-director was observed between/),
    ).toBeInTheDocument();
  });

  it('without flow sources (404) the preview shows no traffic at all', async () => {
    const notFound = await ResponseError.fromResponse(
      new Response(JSON.stringify({ error: { name: 'NotFoundError', message: 'no flow sources are configured' } }), { status: 404, statusText: 'Not Found' }),
    );
    const api = mockCellsApi({ preview: jest.fn(async (_body: PreviewBody) => removal), getTraffic: jest.fn(async () => Promise.reject(notFound)) });
    renderPreview('remove-connection', removeForm, api);
    await screen.findByRole('list', { name: 'no longer allowed' });
    await waitFor(() => expect(api.getTraffic).toHaveBeenCalled());
    expect(screen.queryByLabelText('observed traffic')).toBeNull();
  });

  it('"Allow an external call": the entry is sent on the component as the catalog has it, and a ceiling refusal holds the form back', async () => {
    const said =
      'the catalog would refuse this change: component:default/launch-control: spec.egress[0].host: api.example.com is outside the egress ceiling of system:default/kennedy (spec.cell.egress.hosts: api.weather.gov). Fix: ask the owners of system:default/kennedy to add api.example.com to spec.cell.egress.hosts, or remove the entry';
    const refusal = await ResponseError.fromResponse(
      new Response(JSON.stringify({ error: { name: 'InputError', message: said } }), {
        status: 400,
        statusText: 'Bad Request',
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    // As CellsClient hands it on: the backend's own message.
    refusal.message = said;
    const api = mockCellsApi({ preview: jest.fn(async (_body: PreviewBody): Promise<PreviewResponse> => Promise.reject(refusal)), getTraffic: jest.fn() });
    const onChange = renderPreview('egress', { component: 'launch-control', destination: 'host', host: 'api.example.com', protocol: 'TLS', ports: [443] }, api);
    expect(await screen.findByText(/outside the egress ceiling of system:default\/kennedy/)).toBeInTheDocument();
    const [entity] = (api.preview as jest.Mock).mock.calls[0][0].entities;
    expect(entity.spec.egress).toEqual([{ host: 'api.example.com', port: 443, protocol: 'TLS' }]);
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ refused: expect.stringContaining('Fix: ask the owners of system:default/kennedy') })),
    );
    expect(api.getTraffic).not.toHaveBeenCalled();
  });
});
