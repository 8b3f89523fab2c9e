import { useState } from 'react';
import Button from '@material-ui/core/Button';
import { useApi } from '@backstage/frontend-plugin-api';
import { cellsApiRef } from '../api/CellsApi';
import type { ReportFormat } from '../api/CellsClient';
import { saveFile } from '../lib/saveFile';
import { ErrorNote } from './ErrorNote';

export const REPORT_FORMATS: { format: ReportFormat; label: string }[] = [
  { format: 'pdf', label: 'PDF' },
  { format: 'md', label: 'Markdown' },
  { format: 'json', label: 'JSON' },
];

/**
 * "Download evidence": the cell's evidence pack (docs/evidence.md) for an
 * auditor, in every environment of the cell, as the backend builds it. The
 * request carries the user's credentials, so it goes through the API client
 * rather than a plain link.
 */
export function EvidenceDownload({ entityRef }: { entityRef: string }) {
  const api = useApi(cellsApiRef);
  const [busy, setBusy] = useState<ReportFormat | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const download = async (format: ReportFormat) => {
    setBusy(format);
    setError(undefined);
    try {
      const { blob, filename } = await api.getReport(entityRef, format);
      saveFile(blob, filename);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <div aria-label="download evidence">
      {REPORT_FORMATS.map(({ format, label }) => (
        <Button key={format} size="small" variant="outlined" style={{ marginRight: 8 }} disabled={busy !== undefined} onClick={() => download(format)}>
          {busy === format ? `Preparing ${label}…` : label}
        </Button>
      ))}
      {error && <ErrorNote error={error} what="the evidence pack" />}
    </div>
  );
}
