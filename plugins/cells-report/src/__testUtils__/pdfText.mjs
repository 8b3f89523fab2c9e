// Prints the text of a PDF file as pdf-parse (pdf.js) extracts it, as JSON
// { text, pages }. A separate Node process: pdf.js loads its worker with a
// dynamic import, which Jest's module sandbox does not run.
import fs from 'node:fs';
import { PDFParse } from 'pdf-parse';

const parser = new PDFParse({ data: new Uint8Array(fs.readFileSync(process.argv[2])) });
try {
  const result = await parser.getText();
  process.stdout.write(JSON.stringify({ text: result.text, pages: result.total }));
} finally {
  await parser.destroy();
}
