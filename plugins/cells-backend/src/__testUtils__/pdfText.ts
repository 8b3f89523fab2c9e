import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The text of every page of a PDF as a reader extracts it (pdf-parse, run by
 * the PDF renderer's own test script in a separate Node process), runs of
 * whitespace made single spaces.
 */
export function pdfText(pdf: Buffer): string {
  const script = path.join(path.dirname(require.resolve('@cellplane/cells-report/package.json')), 'src', '__testUtils__', 'pdfText.mjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cells-backend-pdf-'));
  try {
    fs.writeFileSync(path.join(dir, 'pack.pdf'), pdf);
    const out = execFileSync(process.execPath, [script, path.join(dir, 'pack.pdf')], { encoding: 'utf8' });
    return (JSON.parse(out).text as string).replace(/\s+/g, ' ');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
