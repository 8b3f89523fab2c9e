import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { cellsApiRef } from '../api/CellsApi';
import { CellsTopology } from './CellsPage';
import { mockCellsApi } from './testApi';

const node = (id: string) => document.querySelector(`.react-flow__node[data-id="${id}"]`) as HTMLElement | null;

describe('CellsTopology', () => {
  it('draws every cell, component and the gateway with its state as a word', async () => {
    const api = mockCellsApi();
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    await waitFor(() => expect(node('component:default/capcom')).not.toBeNull());
    for (const id of ['system:default/houston', 'system:default/orion', 'component:default/flight-director', 'component:default/comms-system', 'gateway']) {
      expect(node(id)).not.toBeNull();
    }
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
    expect(api.blastRadius).toHaveBeenCalledWith({ environment: 'dev', from: 'component:default/capcom' });
    await waitFor(() => expect(within(node('component:default/comms-system')!).getByText('reachable from the source')).toBeInTheDocument());
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

  it('says how to declare a first cell when there is none', async () => {
    const api = mockCellsApi({ getTopology: jest.fn(async () => ({ environment: 'dev', environments: ['dev'], cells: [], components: [], edges: [] })) });
    await renderInTestApp(<CellsTopology />, { apis: [[cellsApiRef, api]] });
    expect(await screen.findByText('No cells yet')).toBeInTheDocument();
    expect(screen.getByLabelText('example catalog file')).toHaveTextContent('cell:');
  });
});
