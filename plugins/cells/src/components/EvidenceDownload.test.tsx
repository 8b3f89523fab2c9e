import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { cellsApiRef } from '../api/CellsApi';
import { EvidenceDownload } from './EvidenceDownload';
import { mockCellsApi } from './testApi';

describe('EvidenceDownload', () => {
  // jsdom has no object URLs and does not navigate: the saved file is seen as the link clicked.
  const saved: { href: string; download: string }[] = [];
  let click: jest.SpyInstance;
  beforeEach(() => {
    saved.length = 0;
    URL.createObjectURL = jest.fn(() => 'blob:pack');
    URL.revokeObjectURL = jest.fn();
    click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function record(this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download });
    });
  });
  afterEach(() => click.mockRestore());

  it.each([
    ['PDF', 'pdf'],
    ['Markdown', 'md'],
    ['JSON', 'json'],
  ])('saves the %s pack under the name the backend gives it', async (label, format) => {
    const api = mockCellsApi();
    await renderInTestApp(<EvidenceDownload entityRef="system:default/houston" />, { apis: [[cellsApiRef, api]] });
    fireEvent.click(screen.getByRole('button', { name: label }));
    await waitFor(() => expect(saved).toEqual([{ href: 'blob:pack', download: `default.houston.evidence.${format}` }]));
    expect(api.getReport).toHaveBeenCalledWith('system:default/houston', format);
    const blob = (URL.createObjectURL as jest.Mock).mock.calls[0][0] as Blob;
    expect(await blob.text()).toBe(`${format} pack`);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:pack');
  });

  it("shows the backend's refusal and saves nothing", async () => {
    const api = mockCellsApi();
    api.getReport.mockRejectedValue(new Error('cells.manifest.read is not allowed on system:default/houston (403 Forbidden)'));
    await renderInTestApp(<EvidenceDownload entityRef="system:default/houston" />, { apis: [[cellsApiRef, api]] });
    fireEvent.click(screen.getByRole('button', { name: 'PDF' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the evidence pack: cells.manifest.read is not allowed on system:default/houston (403 Forbidden)',
    );
    expect(saved).toEqual([]);
    expect(screen.getByRole('button', { name: 'PDF' })).toBeEnabled();
  });
});
