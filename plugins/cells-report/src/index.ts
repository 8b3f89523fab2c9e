/**
 * Cellplane's evidence pack as PDF, shared by the cells backend and the CLI.
 * The content comes from @cellplane/cells-common's report module; this package
 * only prints it, so the pure core needs no PDF library.
 *
 * @packageDocumentation
 */
export { evidencePdf } from './pdf';
export { evidenceDocDefinition } from './docDefinition';
