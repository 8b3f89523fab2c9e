// End-to-end: the portfolio page of the real portal (built app, real backend
// with the Artemis II example) in headless Chromium: reached from the sidebar
// and from the cells page's header, it lists the five Artemis cells, sorts by
// a column, filters by owner, exports the rows as CSV, and a row's evidence
// pack downloads as a PDF whose text names the cell.
//
//   node --test tests/e2e/portfolio.test.mjs
//   CELLPLANE_PORTAL_URL=http://localhost:7007 ...   use a running portal (no build, no start)
// Screenshots go to $CELLPLANE_SCREENSHOT_DIR (default: the OS temp dir).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, waitFor } from '../../tools/portal.mjs';
import { openArtemisPortal, withFailureReport } from './browser.mjs';

const SHOTS = process.env.CELLPLANE_SCREENSHOT_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-portfolio-'));

/** The Artemis cells' titles in natural order, and their owners. */
const TITLES = ['Deep Space Network', 'ESA operations', 'Houston (Mission Control)', 'Kennedy (launch)', 'Orion (spacecraft)'];
const HOUSTON_OWNER = 'group:default/houston-flight-ops';

/** The text of a PDF as pdf-parse reads it (the PDF renderer's own test script, in its own process). */
function pdfText(file) {
  const script = path.join(root, 'plugins/cells-report/src/__testUtils__/pdfText.mjs');
  return JSON.parse(execFileSync(process.execPath, [script, file], { encoding: 'utf8' })).text.replace(/\s+/g, ' ');
}

/** Splits RFC 4180 CSV into records of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') record.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') record.push(field), records.push(record), (record = []), (field = ''), i++;
    else field += ch;
  }
  assert.equal(field + record.join(''), '', 'the CSV ends with CRLF');
  return records;
}

describe('Portfolio page', { timeout: 900_000 }, () => {
  let session;
  let portal;
  let url;
  let page;

  before(async () => {
    session = await openArtemisPortal({ viewport: { width: 1700, height: 900 }, acceptDownloads: true, timeout: 60_000 });
    ({ url, portal, page } = session);
    await page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Cells portfolio' }).waitFor();
  });

  after(async () => {
    await session?.close();
  });

  const withLogs = withFailureReport({ name: 'portfolio', dir: SHOTS, page: () => page, portal: () => portal, fullPage: true });

  const table = () => page.getByRole('table', { name: 'portfolio' });
  /** The first column (the cell's title) of each row, top to bottom. */
  const shownTitles = async () => table().locator('tbody tr td:first-child').allTextContents();

  test(
    "the cells page's header and the sidebar lead to the portfolio, which lists the five Artemis cells",
    withLogs(async () => {
      await page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Cells', exact: true }).click();
      await page.waitForURL(/\/cells$/);
      await page.getByRole('link', { name: 'Portfolio', exact: true }).click();
      await page.waitForURL(/\/cells\/portfolio$/);
      await table().waitFor();
      assert.deepEqual(await shownTitles(), TITLES);
      // Back to the graph from the header, then to the portfolio from the sidebar.
      await page.getByRole('link', { name: 'Cells graph' }).click();
      await page.waitForURL(/\/cells$/);
      await page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Cells portfolio' }).click();
      await page.waitForURL(/\/cells\/portfolio$/);
      await table().waitFor();
      assert.deepEqual(await shownTitles(), TITLES);
      // Every cell verified by the backend's analyzer, passing; no traffic source configured in the portal.
      const rows = table().locator('tbody tr');
      assert.equal(await rows.count(), 5);
      for (let i = 0; i < 5; i++) {
        const cells = await rows.nth(i).locator('td').allTextContents();
        assert.equal(cells[2], 'development');
        assert.equal(cells[3], 'pass', `${cells[0]} verification`);
        assert.match(cells[4], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
        // A fresh GitOps folder gets each cell's first change; one kept from an earlier run, none.
        assert.match(cells[5], /^(\d+|none kept)$/);
        assert.match(cells[6], /^\d+ of \d+$/);
        assert.equal(cells[7], 'no traffic source');
      }
      await page.getByRole('note').filter({ hasText: 'no traffic source' }).waitFor();
      await page.screenshot({ path: path.join(SHOTS, 'portfolio.png'), fullPage: true });
    }),
  );

  test(
    'sorts by a column both ways and filters by owner',
    withLogs(async () => {
      await page.getByRole('button', { name: 'Cell', exact: true }).click();
      assert.deepEqual(await shownTitles(), [...TITLES].reverse());
      await page.getByRole('button', { name: 'Cell', exact: true }).click();
      assert.deepEqual(await shownTitles(), TITLES);
      await page.getByRole('button', { name: 'filter by owner' }).click();
      await page.getByRole('option', { name: HOUSTON_OWNER }).click();
      assert.deepEqual(await shownTitles(), ['Houston (Mission Control)']);
      await page.getByText('1 of 5 rows').waitFor();
      await page.screenshot({ path: path.join(SHOTS, 'portfolio-filtered.png'), fullPage: true });
      await page.getByRole('button', { name: 'filter by owner' }).click();
      await page.getByRole('option', { name: 'All owners' }).click();
      await page.getByText('5 of 5 rows').waitFor();
    }),
  );

  test(
    'exports the five rows as CSV',
    withLogs(async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      assert.equal(download.suggestedFilename(), 'cells-portfolio.csv');
      const file = path.join(SHOTS, 'cells-portfolio.csv');
      await download.saveAs(file);
      const records = parseCsv(fs.readFileSync(file, 'utf8'));
      assert.equal(records[0][0], 'Entity ref');
      assert.equal(records[0][1], 'Cell');
      assert.deepEqual(
        records.slice(1).map(r => r[0]),
        ['deep-space-network', 'esa-ops', 'houston', 'kennedy', 'orion'].map(n => `system:default/${n}`),
      );
      assert.deepEqual(
        records.slice(1).map(r => r[1]),
        TITLES,
      );
      assert.ok(
        records.every(r => r.length === records[0].length),
        'every record has every column',
      );
    }),
  );

  test(
    "downloads houston's evidence pack from its row: a PDF whose text names the cell",
    withLogs(async () => {
      const button = page.getByRole('button', { name: 'PDF evidence of Houston (Mission Control) in development' });
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 180_000 }), button.click()]);
      assert.equal(download.suggestedFilename(), 'default.houston.development.evidence.pdf');
      const file = path.join(SHOTS, download.suggestedFilename());
      await download.saveAs(file);
      assert.equal(fs.readFileSync(file).subarray(0, 5).toString(), '%PDF-');
      const text = pdfText(file);
      assert.match(text, /houston/);
      assert.match(text, /houston\/capcom/);
      await page.screenshot({ path: path.join(SHOTS, 'portfolio-downloaded.png'), fullPage: true });
    }),
  );
});
