import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { cellsApiRef } from '../api/CellsApi';
import { PortfolioPage } from './PortfolioPage';
import { mockCellsApi } from './testApi';

/** The cell titles of the table's rows, top to bottom. */
const shownCells = () =>
  within(screen.getByRole('table', { name: 'portfolio' }))
    .getAllByRole('row')
    .slice(1)
    .map(r => within(r).getAllByRole('cell')[0].textContent);

describe('PortfolioPage', () => {
  // jsdom has no object URLs and does not navigate: a saved file is seen as the link clicked.
  const saved: { href: string; download: string }[] = [];
  let click: jest.SpyInstance;
  beforeEach(() => {
    saved.length = 0;
    URL.createObjectURL = jest.fn(() => 'blob:file');
    URL.revokeObjectURL = jest.fn();
    click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function record(this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download });
    });
  });
  afterEach(() => click.mockRestore());

  it("lists the backend's rows with each column's text, and says where no traffic was read", async () => {
    const api = mockCellsApi();
    api.getPortfolio.mockResolvedValue({
      ...(await api.getPortfolio()),
      traffic: [{ environment: 'dev', state: 'no-traffic-source', message: 'no traffic source: set cells.traffic.sources (docs/traffic.md)' }],
    });
    await renderInTestApp(<PortfolioPage />, { apis: [[cellsApiRef, api]] });
    await screen.findByRole('table', { name: 'portfolio' });
    expect(shownCells()).toEqual(['houston', 'kennedy', 'orion']);
    const kennedy = within(screen.getAllByRole('row')[2])
      .getAllByRole('cell')
      .map(c => c.textContent);
    expect(kennedy.slice(0, 10)).toEqual([
      'kennedy',
      'group:default/kennedy-launch-team',
      'dev',
      'fail',
      '2026-12-01 09:00 UTC',
      '1',
      '0 of 5',
      '7',
      '0 of 1',
      '2',
    ]);
    const orion = within(screen.getAllByRole('row')[3]).getAllByRole('cell');
    expect(orion[5]).toHaveTextContent('none kept');
    expect(orion[7]).toHaveTextContent('no traffic source');
    expect(screen.getByRole('note')).toHaveTextContent('Unused grants: dev: no traffic source: set cells.traffic.sources (docs/traffic.md)');
    expect(screen.getByText('3 of 3 rows')).toBeInTheDocument();
  });

  it('sorts by a column, and the other way on a second click', async () => {
    await renderInTestApp(<PortfolioPage />, { apis: [[cellsApiRef, mockCellsApi()]] });
    await screen.findByRole('table', { name: 'portfolio' });
    fireEvent.click(screen.getByRole('button', { name: 'Egress entries' }));
    expect(shownCells()).toEqual(['houston', 'orion', 'kennedy']);
    fireEvent.click(screen.getByRole('button', { name: 'Egress entries' }));
    expect(shownCells()).toEqual(['kennedy', 'orion', 'houston']);
    fireEvent.click(screen.getByRole('button', { name: 'Verification' }));
    expect(shownCells()).toEqual(['kennedy', 'houston', 'orion']);
  });

  it("filters by owner, exports the rows shown as CSV, and downloads the owner's bundle", async () => {
    const api = mockCellsApi();
    await renderInTestApp(<PortfolioPage />, { apis: [[cellsApiRef, api]] });
    await screen.findByRole('table', { name: 'portfolio' });
    fireEvent.mouseDown(screen.getByRole('button', { name: 'filter by owner' }));
    fireEvent.click(await screen.findByRole('option', { name: 'group:default/houston-flight-ops' }));
    expect(shownCells()).toEqual(['houston', 'orion']);
    expect(screen.getByText('2 of 3 rows')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(saved).toEqual([{ href: 'blob:file', download: 'cells-portfolio.csv' }]);
    const csv = await ((URL.createObjectURL as jest.Mock).mock.calls[0][0] as Blob).text();
    expect(
      csv
        .split('\r\n')
        .slice(1, -1)
        .map(l => l.split(',')[0]),
    ).toEqual(['system:default/houston', 'system:default/orion']);
    fireEvent.click(screen.getByRole('button', { name: "This owner's evidence (PDF)" }));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(api.getBundleReport).toHaveBeenCalledWith({ owner: 'group:default/houston-flight-ops' }, 'pdf');
    expect(saved[1].download).toBe('group-default-houston-flight-ops.evidence.pdf');
  });

  it("downloads a row's evidence pack for its environment, and shows a refusal", async () => {
    const api = mockCellsApi();
    await renderInTestApp(<PortfolioPage />, { apis: [[cellsApiRef, api]] });
    fireEvent.click(await screen.findByRole('button', { name: 'PDF evidence of kennedy in dev' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(api.getReport).toHaveBeenCalledWith('system:default/kennedy', 'pdf', 'dev');
    api.getReport.mockRejectedValueOnce(new Error('cells.manifest.read is not allowed on system:default/orion (403 Forbidden)'));
    fireEvent.click(screen.getByRole('button', { name: 'JSON evidence of orion in dev' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the evidence: cells.manifest.read is not allowed on system:default/orion');
    await waitFor(() => expect(screen.getByRole('button', { name: 'JSON evidence of orion in dev' })).toBeEnabled());
    expect(saved).toHaveLength(1);
  });

  it("shows the backend's error instead of a table", async () => {
    const api = mockCellsApi();
    api.getPortfolio.mockRejectedValue(new Error('since: "x" is not an ISO time'));
    await renderInTestApp(<PortfolioPage />, { apis: [[cellsApiRef, api]] });
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the portfolio: since: "x" is not an ISO time');
  });
});
