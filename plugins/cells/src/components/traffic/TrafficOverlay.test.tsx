import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { cellsApiRef } from '../../api/CellsApi';
import { CellsTopology } from '../CellsPage';
import { mockCellsApi } from '../testApi';
import { testRollout, testTraffic } from '../../lib/testTraffic';

const node = (id: string) => document.querySelector(`.react-flow__node[data-id="${id}"]`) as HTMLElement | null;
const labels = () => [...document.querySelectorAll('.cells-observed-label')].map(l => l.textContent);
const NOW = Date.parse('2026-11-30T00:00:00Z');

function trafficApi(overrides = {}) {
  return mockCellsApi({ getTraffic: jest.fn(async () => testTraffic()), getRollout: jest.fn(async () => testRollout()), ...overrides });
}

describe('the observed-traffic overlay on the cells page', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
  afterEach(() => jest.restoreAllMocks());

  it('asks nothing until switched on; then draws each class with its words, the legend and the would-break counts', async () => {
    const api = trafficApi();
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    await waitFor(() => expect(node('component:default/capcom')).not.toBeNull());
    expect(api.getTraffic).not.toHaveBeenCalled();
    expect(labels()).toEqual([]);

    // Its tab says how to switch it on.
    fireEvent.click(screen.getByRole('tab', { name: 'Observed traffic' }));
    expect(await screen.findByRole('button', { name: 'Show the observed calls' })).toBeInTheDocument();
    expect(api.getTraffic).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Observed calls' }));
    await waitFor(() => expect(labels()).toHaveLength(4));
    expect(api.getTraffic).toHaveBeenCalledWith({ environment: 'dev', since: '2026-11-29T00:00:00.000Z', until: '2026-11-30T00:00:00.000Z' });
    expect(api.getRollout).toHaveBeenCalledWith({ environment: 'dev', since: '2026-11-29T00:00:00.000Z', until: '2026-11-30T00:00:00.000Z' });
    // A declared call that is made shows its symbol only; the others their words too.
    expect(labels().sort()).toEqual(['! undeclared, allowed', '○ declared, unused', '✓', '✗ denied']);
    // Observed only: the declared grants are not drawn (the edge capcom -> flight-director was never observed).
    expect(document.querySelector('.react-flow__edge[data-id="component:default/capcom->component:default/flight-director"]')).toBeNull();
    expect(screen.getByLabelText('observed traffic legend')).toHaveTextContent(
      '✓ declared, seen (1)○ declared, unused (1)! undeclared, allowed (1)✗ denied (1)',
    );
    expect(within(node('system:default/houston')!).getByTestId('would-break')).toHaveTextContent('⚠ 1 observed call would break');
    expect(within(node('system:default/orion')!).getByTestId('would-break')).toHaveTextContent('✓ nothing observed would break');

    // The count shows on hover.
    const denied = document.querySelector('.cells-observed-label[data-class="denied"]') as HTMLElement;
    fireEvent.mouseEnter(denied);
    expect(denied).toHaveTextContent('✗ denied · 4 calls');
    const seen = document.querySelector('.cells-observed-label[data-class="declared-seen"]') as HTMLElement;
    fireEvent.focus(seen);
    expect(seen).toHaveTextContent('✓ declared, seen · 930 calls');

    // Both: the declared grants come back beside the observed calls; a window of 7 days is asked for.
    fireEvent.click(screen.getByRole('button', { name: 'Both calls' }));
    await waitFor(() =>
      expect(document.querySelector('.react-flow__edge[data-id="component:default/capcom->component:default/flight-director"]')).not.toBeNull(),
    );
    expect(labels()).toHaveLength(4);
    fireEvent.mouseDown(screen.getByRole('button', { name: /Observed window/ }));
    fireEvent.click(await screen.findByRole('option', { name: '7 d' }));
    await waitFor(() =>
      expect(api.getTraffic).toHaveBeenLastCalledWith({ environment: 'dev', since: '2026-11-23T00:00:00.000Z', until: '2026-11-30T00:00:00.000Z' }),
    );
  });

  it("lists the selected cell's would-break calls with layer, policy and reason, and its calls in and out with prefilled templates", async () => {
    const api = trafficApi();
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]], initialRouteEntries: ['/?traffic=observed&selected=system:default/houston'] });
    fireEvent.click(await screen.findByRole('tab', { name: 'Observed traffic' }));
    const panel = await screen.findByLabelText('observed traffic');
    const houston = await within(panel).findByLabelText('would break in houston');
    expect(houston).toHaveTextContent('Houston (in audit): 1 observed call would break');
    expect(houston).toHaveTextContent('orion/comms-system -> houston/capcom HTTP: 411 calls, last 2026-11-30T00:00:00.000Z');
    expect(houston).toHaveTextContent('denied at L7 by houston/capcom');
    expect(houston).toHaveTextContent('no ALLOW rule of houston/capcom admits the caller (RBAC: access denied)');
    const allow = within(houston).getByRole('link', { name: 'Allow this call' });
    expect(JSON.parse(new URL(allow.getAttribute('href')!, 'http://x').searchParams.get('formData')!)).toEqual({
      from: 'component:default/comms-system',
      target: { component: 'component:default/capcom', endpoint: 'api' },
    });
    // Orion's list is not shown for Houston.
    expect(within(panel).queryByLabelText('would break in orion')).toBeNull();

    const into = within(panel).getByLabelText('observed calls in');
    expect(into).toHaveTextContent('! undeclared, allowed: orion/comms-system -> houston/capcom HTTP GET /loop');
    expect(into).toHaveTextContent(
      '✗ denied (suspicious: an identity the catalog does not know): pod debug-shell in houston -> houston/flight-director port 8080 TCP',
    );
    // What needs a decision comes first.
    expect(into.textContent!.indexOf('! undeclared')).toBeLessThan(into.textContent!.indexOf('✗ denied'));
    const out = within(panel).getByLabelText('observed calls out');
    expect(out).toHaveTextContent('✓ declared, seen: houston/capcom -> orion/comms-system HTTP');
    const remove = within(out).getByRole('link', { name: 'Remove this call' });
    expect(remove.getAttribute('href')).toMatch(/^\/create\/templates\/default\/cellplane-remove-call\?formData=/);
  });

  it("clicking an edge's label lists its calls, an undeclared one with Allow a call prefilled with its method and path", async () => {
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, trafficApi()]], initialRouteEntries: ['/?traffic=observed'] });
    await waitFor(() => expect(labels()).toHaveLength(4));
    fireEvent.click(document.querySelector('.cells-observed-label[data-class="undeclared-allowed"]')!);
    const edge = await screen.findByLabelText('observed calls of the edge');
    expect(edge).toHaveTextContent('orion/comms-system -> houston/capcom HTTP GET /loop');
    const link = within(edge).getByRole('link', { name: 'Allow this call' });
    expect(JSON.parse(new URL(link.getAttribute('href')!, 'http://x').searchParams.get('formData')!).access).toEqual({ methods: ['GET'], paths: ['/loop'] });
  });

  it('says when no flow source is configured (404)', async () => {
    const notFound = Object.assign(new Error('no flow source is configured'), { statusCode: 404 });
    const api = trafficApi({ getTraffic: jest.fn(async () => Promise.reject(notFound)), getRollout: jest.fn(async () => Promise.reject(notFound)) });
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]], initialRouteEntries: ['/?traffic=both'] });
    expect(await screen.findByText('No flow source is configured: set cells.traffic.sources in app-config (docs/traffic.md).')).toBeInTheDocument();
    expect(labels()).toEqual([]);
  });
});
