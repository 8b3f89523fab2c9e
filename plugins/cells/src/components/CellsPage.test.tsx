import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { cellsApiRef } from '../api/CellsApi';
import { CellsTopology } from './CellsPage';
import { mockCellsApi } from './testApi';
import { largeTopology, testTopology } from '../lib/testTopology';
import { manualSchedule } from '../lib/__testUtils__/manualSchedule';

const node = (id: string) => document.querySelector(`.react-flow__node[data-id="${id}"]`) as HTMLElement | null;

describe('CellsTopology', () => {
  it('draws every cell, component and the gateway with its state as a word', async () => {
    const api = mockCellsApi();
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    await waitFor(() => expect(node('component:default/capcom')).not.toBeNull());
    for (const id of ['system:default/houston', 'system:default/orion', 'component:default/flight-director', 'component:default/comms-system', 'gateway']) {
      expect(node(id)).not.toBeNull();
    }
    // Outside the cluster: a host and a network, each named in words beside its icon.
    expect(node('external:api.weather.gov')).toHaveTextContent('external hostapi.weather.gov');
    expect(node('cidr:10.20.8.0/24')).toHaveTextContent('external network10.20.8.0/24except 10.20.8.0/28');
    expect(within(node('system:default/orion')!).getByText('drifted')).toBeInTheDocument();
    expect(within(node('component:default/flight-director')!).getByLabelText('L7 not protected')).toBeInTheDocument();
    expect(api.getTopology).toHaveBeenCalledWith(undefined);
  });

  it('opens the side panel of the node in the URL and highlights the blast radius', async () => {
    const api = mockCellsApi();
    await renderInTestApp(<CellsTopology />, {
      apis: [[cellsApiRef, api]],
      initialRouteEntries: ['/?selected=component:default/capcom'],
    });
    const panel = await screen.findByLabelText('details of the selected node');
    expect(within(panel).getByLabelText('callees')).toHaveTextContent('component:default/comms-system on api: POST /uplink');
    fireEvent.click(within(panel).getByText('If this is compromised'));
    const blast = await screen.findByTestId('blast-radius');
    expect(blast).toHaveTextContent('component:default/comms-system api (port 8080): POST /uplink');
    expect(blast).toHaveTextContent('Reached by nobody');
    expect(within(blast).getByLabelText('egress reach')).toHaveTextContent('api.weather.gov:443 TLS');
    expect(api.blastRadius).toHaveBeenCalledWith({ environment: 'dev', from: 'component:default/capcom' });
    await waitFor(() => expect(within(node('component:default/comms-system')!).getByText('reachable from the source')).toBeInTheDocument());
    expect(within(node('external:api.weather.gov')!).getByText('reachable from the source')).toBeInTheDocument();
    expect(within(node('cidr:10.20.8.0/24')!).queryByText('reachable from the source')).toBeNull();
    expect(within(node('component:default/capcom')!).getByText('selected source')).toBeInTheDocument();
    expect(within(node('component:default/flight-director')!).queryByText('reachable from the source')).toBeNull();
  });

  it('collapses a cell from its panel, drawing its components as the cell', async () => {
    const api = mockCellsApi();
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]], initialRouteEntries: ['/?selected=system:default/houston'] });
    await waitFor(() => expect(node('component:default/capcom')).not.toBeNull());
    fireEvent.click(await screen.findByRole('button', { name: 'Collapse' }));
    await waitFor(() => expect(node('component:default/capcom')).toBeNull());
    expect(within(node('system:default/houston')!).getByText(/2 components \(collapsed\)/)).toBeInTheDocument();
  });

  it('selects a focused node with Enter and moves between nodes with the arrow keys', async () => {
    const api = mockCellsApi();
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    await waitFor(() => expect(node('component:default/flight-director')).not.toBeNull());
    const director = node('component:default/flight-director')!;
    expect(director).toHaveAttribute('tabindex', '0');
    expect(director).toHaveAttribute('aria-label', expect.stringContaining('L7 not protected'));
    director.focus();
    fireEvent.keyDown(director, { key: 'Enter' });
    const panel = await screen.findByLabelText('details of the selected node');
    expect(within(panel).getByRole('heading', { name: 'Flight Director' })).toBeInTheDocument();
    fireEvent.keyDown(director, { key: 'ArrowRight' });
    await waitFor(() => expect(within(panel).getByRole('heading', { name: 'Cell Orion' })).toBeInTheDocument());
    expect(document.activeElement).toBe(node('system:default/orion'));
  });

  it("shows the backend's message when the topology cannot be loaded", async () => {
    const api = mockCellsApi({ getTopology: jest.fn(async () => Promise.reject(new Error('environment: no environment "qa" (400 Bad Request)'))) });
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the cell topology: environment: no environment "qa"');
  });

  it('draws each component inside its cell and each allowed call as an edge between them', async () => {
    const api = mockCellsApi();
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    await waitFor(() => expect(node('component:default/capcom')).not.toBeNull());
    expect(node('system:default/houston')!.closest('.react-flow__node')).toHaveAttribute('aria-label', 'Cell Houston, state in-sync');
    for (const edge of testTopology().edges) {
      const id = `${edge.from}->${edge.to}`;
      await waitFor(() => expect(document.querySelector(`.react-flow__edge[data-id="${id}"]`)).not.toBeNull());
    }
    expect(document.querySelector('[data-layout-mode]')).toHaveAttribute('data-layout-mode', 'layered');
  });

  it('starts with every cell collapsed past 300 components, and expands one from its panel', async () => {
    const api = mockCellsApi({ getTopology: jest.fn(async () => largeTopology(31)) });
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]], initialRouteEntries: ['/?selected=system:default/cell-3'] });
    await waitFor(() => expect(node('system:default/cell-30')).not.toBeNull());
    expect(document.querySelectorAll('.react-flow__node-cell')).toHaveLength(31);
    expect(document.querySelectorAll('.react-flow__node-component')).toHaveLength(0);
    expect(within(node('system:default/cell-3')!).getByText(/10 components \(collapsed\)/)).toBeInTheDocument();
    fireEvent.click(await screen.findByRole('button', { name: 'Expand' }));
    await waitFor(() => expect(node('component:default/svc-30')).not.toBeNull());
    expect(document.querySelectorAll('.react-flow__node-component')).toHaveLength(10);
    expect(node('component:default/svc-30')!.closest('.react-flow__node')?.parentElement).toBe(node('system:default/cell-3')!.parentElement);
    expect(node('component:default/svc-40')).toBeNull();
  });

  it('keeps every cell expanded in a smaller catalog', async () => {
    const api = mockCellsApi({ getTopology: jest.fn(async () => largeTopology(5)) });
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    await waitFor(() => expect(document.querySelectorAll('.react-flow__node-component')).toHaveLength(50));
    expect(document.querySelector('.react-flow__node-cell')).not.toHaveTextContent('collapsed');
  });

  it('search expands the cell of a component it finds and selects and focuses the component', async () => {
    const api = mockCellsApi({ getTopology: jest.fn(async () => largeTopology(31)) });
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    await waitFor(() => expect(node('system:default/cell-20')).not.toBeNull());
    fireEvent.change(screen.getByLabelText('Search nodes'), { target: { value: 'svc-205' } });
    fireEvent.submit(screen.getByLabelText('Search nodes').closest('form')!);
    await waitFor(() => expect(node('component:default/svc-205')).not.toBeNull());
    const panel = await screen.findByLabelText('details of the selected node');
    expect(within(panel).getByRole('heading', { name: 'svc-205' })).toBeInTheDocument();
    await waitFor(() => expect(document.activeElement).toBe(node('component:default/svc-205')));
    expect(within(node('system:default/cell-21')!).getByText(/collapsed/)).toBeInTheDocument();
  });

  it('before the first reconcile: says it keeps checking, then that the first reconcile runs, until the cells are in sync', async () => {
    const empty = { environment: 'dev', environments: ['dev'], cells: [], components: [], edges: [] };
    const pending = testTopology();
    pending.cells = pending.cells.map(c => ({ ...c, state: 'pending' as const, message: 'waiting for the first reconcile' }));
    const getTopology = jest.fn().mockResolvedValueOnce(empty).mockResolvedValueOnce(empty).mockResolvedValueOnce(pending).mockResolvedValue(testTopology());
    const api = mockCellsApi({ getTopology });
    const polls = manualSchedule();
    await renderInTestApp(<CellsTopology schedule={polls.schedule} />, { apis: [[cellsApiRef, api]] });
    expect(await screen.findByText('No cells yet')).toBeInTheDocument();
    expect(screen.getByText(/checks again every 5 seconds/)).toBeInTheDocument();
    // No cells: the next ask waits the short interval.
    await waitFor(() => expect(polls.delays()).toEqual([5000]));
    polls.fire();
    await waitFor(() => expect(getTopology).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(polls.delays()).toEqual([5000]));
    expect(screen.getByText('No cells yet')).toBeInTheDocument();
    polls.fire();
    expect(await screen.findByText(/first reconcile is running: all 2 cells wait to be compiled/)).toBeInTheDocument();
    expect(screen.getByText(/refreshes every 5 seconds until they are done/)).toBeInTheDocument();
    // Cells wait for a reconcile: still the short interval.
    await waitFor(() => expect(polls.delays()).toEqual([5000]));
    polls.fire();
    await waitFor(() => expect(within(node('system:default/orion')!).getByText('drifted')).toBeInTheDocument());
    expect(node('component:default/capcom')).not.toBeNull();
    expect(screen.queryByText(/first reconcile is running/)).toBeNull();
    // In sync: the page asks again only after livePollIntervalMs (10 s by default).
    await waitFor(() => expect(polls.delays()).toEqual([10000]));
    expect(getTopology).toHaveBeenCalledTimes(4);
  });

  it('keeps asking once drawn: a new state shows in place, and a failed refresh keeps the graph and says why', async () => {
    const drifted = testTopology();
    drifted.cells = drifted.cells.map(c => (c.entityRef === 'system:default/houston' ? { ...c, state: 'drifted' as const, message: '1 object drifted' } : c));
    const getTopology = jest
      .fn()
      .mockResolvedValueOnce(testTopology())
      .mockResolvedValueOnce(drifted)
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED (503 Service Unavailable)'))
      .mockResolvedValue(drifted);
    const api = mockCellsApi({ getTopology });
    const polls = manualSchedule();
    await renderInTestApp(<CellsTopology schedule={polls.schedule} />, { apis: [[cellsApiRef, api]] });
    await waitFor(() => expect(node('component:default/capcom')).not.toBeNull());
    const before = node('component:default/capcom')!.style.transform;
    expect(within(node('system:default/houston')!).queryByText('drifted')).toBeNull();
    await waitFor(() => expect(polls.delays()).toEqual([10000]));
    polls.fire();
    await waitFor(() => expect(within(node('system:default/houston')!).getByText('drifted')).toBeInTheDocument());
    // Only a state changed: the layout is kept.
    expect(node('component:default/capcom')!.style.transform).toBe(before);
    await waitFor(() => expect(polls.delays()).toEqual([10000]));
    polls.fire();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not refresh the cell topology: connect ECONNREFUSED (503 Service Unavailable). The graph shows the last answer; the page asks again in 10 seconds.',
    );
    expect(node('component:default/capcom')).not.toBeNull();
    expect(within(node('system:default/houston')!).getByText('drifted')).toBeInTheDocument();
    // A failed ask is asked again after the same interval, and the next answer clears the note.
    await waitFor(() => expect(polls.delays()).toEqual([10000]));
    expect(screen.getByRole('alert')).toBeInTheDocument();
    polls.fire();
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(node('component:default/capcom')).not.toBeNull();
    expect(getTopology).toHaveBeenCalledTimes(4);
  });

  it('lists and packs cells in natural order (cell-2 before cell-10), whatever order the backend answers in', async () => {
    const topology = largeTopology(12);
    topology.cells.reverse();
    topology.components.reverse();
    const api = mockCellsApi({ getTopology: jest.fn(async () => topology) });
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    await waitFor(() => expect(node('system:default/cell-11')).not.toBeNull());
    const cells = [...document.querySelectorAll('.react-flow__node-cell')].map(n => n.getAttribute('data-id'));
    expect(cells).toEqual(Array.from({ length: 12 }, (_, i) => `system:default/cell-${i}`));
    fireEvent.mouseDown(screen.getByLabelText('Cell'));
    expect(
      within(screen.getByRole('listbox'))
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['all cells', ...Array.from({ length: 12 }, (_, i) => `cell-${i}`)]);
    fireEvent.click(screen.getByRole('option', { name: 'cell-10' }));
    await waitFor(() => expect(node('system:default/cell-2')).toBeNull());
    expect(node('component:default/svc-105')).not.toBeNull();
  });

  it('says how to declare a first cell when there is none', async () => {
    const api = mockCellsApi({
      getTopology: jest.fn(async () => ({ environment: 'dev', environments: ['dev'], cells: [], components: [], edges: [], externals: [], egress: [] })),
    });
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    expect(await screen.findByText('No cells yet')).toBeInTheDocument();
    expect(screen.getByLabelText('example catalog file')).toHaveTextContent('cell:');
  });
});
