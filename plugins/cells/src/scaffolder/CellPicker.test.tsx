import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { cellsApiRef } from '../api/CellsApi';
import { mockCellsApi } from '../components/testApi';
import { CellPicker } from './CellPicker';
import { fieldProps } from './testFields';

const cells = {
  items: [
    { entityRef: 'system:default/houston', title: 'Houston (Mission Control)', owner: 'group:default/houston-flight-ops', environments: [] },
    { entityRef: 'system:default/orion', title: 'Orion (spacecraft)', owner: 'group:default/orion-crew', environments: [] },
  ],
};

describe('CellPicker', () => {
  it('offers the cells the cells backend returns and sets the chosen cell ref', async () => {
    const api = mockCellsApi({ listCells: jest.fn(async () => cells) });
    const onChange = jest.fn();
    renderInTestApp(<CellPicker {...fieldProps({ name: 'cell', onChange, schema: { type: 'string', title: 'Cell' } })} />, { apis: [[cellsApiRef, api]] });
    const input = screen.getByRole('textbox', { name: 'Cell' });
    fireEvent.change(input, { target: { value: 'ori' } });
    const option = await screen.findByRole('option', { name: /Orion \(spacecraft\)/ });
    expect(screen.queryByRole('option', { name: /Houston/ })).toBeNull();
    expect(option).toHaveTextContent('owner group:default/orion-crew');
    fireEvent.click(option);
    expect(onChange).toHaveBeenLastCalledWith('system:default/orion');
    expect(api.listCells).toHaveBeenCalledTimes(1);
  });

  it('shows the current value, also one the backend does not list yet', async () => {
    const api = mockCellsApi({ listCells: jest.fn(async () => cells) });
    renderInTestApp(<CellPicker {...fieldProps({ name: 'cell', formData: 'houston', schema: { type: 'string', title: 'Cell' } })} />, {
      apis: [[cellsApiRef, api]],
    });
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Cell' })).toHaveValue('Houston (Mission Control) · system:default/houston'));
  });

  it('lists the cells in natural order', async () => {
    const cell = (n: number) => ({ entityRef: `system:default/cell-${n}`, title: `cell-${n}`, owner: 'group:default/team', environments: [] });
    const api = mockCellsApi({ listCells: jest.fn(async () => ({ items: [cell(10), cell(2), cell(1)] })) });
    await renderInTestApp(<CellPicker {...fieldProps({ name: 'cell', schema: { type: 'string', title: 'Cell' } })} />, { apis: [[cellsApiRef, api]] });
    fireEvent.mouseDown(screen.getByRole('textbox', { name: 'Cell' }));
    await waitFor(() =>
      expect(screen.getAllByRole('option').map(o => o.textContent)).toEqual([
        'cell-1 system:default/cell-1 · owner group:default/team',
        'cell-2 system:default/cell-2 · owner group:default/team',
        'cell-10 system:default/cell-10 · owner group:default/team',
      ]),
    );
  });

  it("says so when the cells cannot be loaded, with the backend's message", async () => {
    const api = mockCellsApi({ listCells: jest.fn(async () => Promise.reject(new Error('cells are down (503 Service Unavailable)'))) });
    renderInTestApp(<CellPicker {...fieldProps({ name: 'cell', schema: { type: 'string', title: 'Cell' } })} />, { apis: [[cellsApiRef, api]] });
    expect(await screen.findByText('Could not load the cells: cells are down (503 Service Unavailable)')).toBeInTheDocument();
  });
});
