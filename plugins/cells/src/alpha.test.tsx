import { screen, waitFor } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { cellsApiRef } from './api/CellsApi';
import cellsPlugin from './alpha';
import { mockCellsApi } from './components/testApi';

const houston = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'houston', namespace: 'default' },
  spec: { owner: 'group:default/ground', cell: { environments: ['dev'] } },
};

const extension = (id: string) => (cellsPlugin as unknown as { getExtension(id: string): any }).getExtension(id);

describe('the alpha plugin', () => {
  it('is the cells plugin with its pages, header link, API, Cell tab and card', () => {
    expect(cellsPlugin.id).toBe('cells');
    for (const id of [
      'page:cells',
      'page:cells/portfolio',
      'plugin-header-action:cells/portfolio-link',
      'api:cells',
      'entity-content:cells/cell',
      'entity-card:cells/cell',
    ]) {
      expect(extension(id)).toBeDefined();
    }
  });

  it('shows the Cell tab on a System that is a cell, with its status and compliance', async () => {
    const api = mockCellsApi();
    await renderTestApp({
      extensions: [createTestEntityPage({ entity: houston }), extension('entity-content:cells/cell')],
      apis: [[cellsApiRef, api]],
      initialRouteEntries: ['/'],
    });
    expect(await screen.findByLabelText('compliance summary')).toHaveTextContent('1/2 at L7');
    expect(screen.getByLabelText('state per environment')).toHaveTextContent('drifted');
    await waitFor(() => expect(api.getCell).toHaveBeenCalledWith('system:default/houston'));
  });

  it('has no Cell tab on a System without spec.cell', async () => {
    const api = mockCellsApi();
    await renderTestApp({
      extensions: [createTestEntityPage({ entity: { ...houston, spec: { owner: 'group:default/ground' } } }), extension('entity-content:cells/cell')],
      apis: [[cellsApiRef, api]],
      initialRouteEntries: ['/'],
    });
    // The test entity page draws this marker when every content's filter rejected the entity.
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
    expect(screen.queryByLabelText('compliance summary')).toBeNull();
    expect(api.getCell).not.toHaveBeenCalled();
  });

  it('serves /cells/portfolio with the portfolio, not the graph page', async () => {
    const api = mockCellsApi();
    await renderTestApp({
      extensions: [extension('page:cells'), extension('page:cells/portfolio')],
      apis: [[cellsApiRef, api]],
      initialRouteEntries: ['/cells/portfolio'],
    });
    expect(await screen.findByRole('table', { name: 'portfolio' })).toBeInTheDocument();
    expect(api.getPortfolio).toHaveBeenCalled();
    expect(api.getTopology).not.toHaveBeenCalled();
  });
});
