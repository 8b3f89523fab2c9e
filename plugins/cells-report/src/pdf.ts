import type { EvidenceBundle, EvidencePack } from '@cellplane/cells-common';
import { evidenceDocDefinition } from './docDefinition';

// pdfmake's CommonJS entry is an instance whose methods live on its prototype:
// an ES namespace import would copy only its own fields.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pdfmake: typeof import('pdfmake') = require('pdfmake');

/** PDF's standard fonts: built into every reader, nothing to load from disk. */
const FONTS = {
  Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' },
  Courier: { normal: 'Courier', bold: 'Courier-Bold', italics: 'Courier-Oblique', bolditalics: 'Courier-BoldOblique' },
};
const STANDARD_FONTS = new Set(Object.values(FONTS).flatMap(f => Object.values(f)));

/**
 * The evidence pack (or a bundle of packs) as PDF. The diagram is drawn as
 * vector graphics. pdfmake may fetch nothing and read no file but the
 * standard fonts' names; the same pack gives the same bytes.
 */
export async function evidencePdf(value: EvidencePack | EvidenceBundle): Promise<Buffer> {
  pdfmake.setFonts(FONTS);
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy(path => STANDARD_FONTS.has(path));
  return pdfmake.createPdf(evidenceDocDefinition(value)).getBuffer();
}
