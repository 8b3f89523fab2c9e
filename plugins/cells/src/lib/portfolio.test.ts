import { filterByOwner, NO_CHANGE_KEPT, NO_TRAFFIC_SOURCE, ownersOf, portfolioCsv, PORTFOLIO_COLUMNS, sortRows, utcMinute } from './portfolio';
import { testPortfolio } from './testPortfolio';

const rows = testPortfolio().items;
const titles = (r: typeof rows) => r.map(x => x.title);

describe('the portfolio table', () => {
  // Each row: a column, the order ascending and descending (houston and orion both pass: a tie, kept in order).
  it.each([
    ['cell', ['houston', 'kennedy', 'orion'], ['orion', 'kennedy', 'houston']],
    ['verification', ['kennedy', 'houston', 'orion'], ['houston', 'orion', 'kennedy']],
    ['unreasoned', ['kennedy', 'houston', 'orion'], ['orion', 'houston', 'kennedy']],
    ['egress', ['houston', 'orion', 'kennedy'], ['kennedy', 'orion', 'houston']],
  ])('sorts by %s', (column, ascending, descending) => {
    expect(titles(sortRows(rows, column, 'asc'))).toEqual(ascending);
    expect(titles(sortRows(rows, column, 'desc'))).toEqual(descending);
  });

  it('puts rows without a value last in either direction, ties in the backend order', () => {
    // orion has no kept access change and no traffic read.
    expect(titles(sortRows(rows, 'accessChange', 'asc'))).toEqual(['kennedy', 'houston', 'orion']);
    expect(titles(sortRows(rows, 'accessChange', 'desc'))).toEqual(['houston', 'kennedy', 'orion']);
    expect(titles(sortRows(rows, 'unused', 'desc'))).toEqual(['kennedy', 'houston', 'orion']);
    // houston and orion tie on owner: kept in the backend's order both ways.
    expect(titles(sortRows(rows, 'owner', 'asc'))).toEqual(['houston', 'orion', 'kennedy']);
    expect(titles(sortRows(rows, 'owner', 'desc'))).toEqual(['kennedy', 'houston', 'orion']);
    expect(sortRows(rows, 'no-such-column', 'asc')).toBe(rows);
  });

  it('filters by owner and lists each owner once', () => {
    expect(ownersOf(rows)).toEqual(['group:default/houston-flight-ops', 'group:default/kennedy-launch-team']);
    expect(titles(filterByOwner(rows, 'group:default/houston-flight-ops'))).toEqual(['houston', 'orion']);
    expect(filterByOwner(rows, undefined)).toBe(rows);
  });

  it('shows times to the minute in UTC, nothing for a missing or broken one', () => {
    expect(utcMinute('2026-12-01T09:05:59.999Z')).toBe('2026-12-01 09:05 UTC');
    expect(utcMinute('2026-12-01T10:05:00+01:00')).toBe('2026-12-01 09:05 UTC');
    expect(utcMinute(undefined)).toBe('');
    expect(utcMinute('yesterday')).toBe('');
  });

  it('exports the rows as shown: every column in order, quoted where needed, no traffic said in words', () => {
    const csv = portfolioCsv(sortRows(rows, 'egress', 'desc'));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(`Entity ref,${PORTFOLIO_COLUMNS.map(c => c.label).join(',')}`);
    expect(lines.slice(1, -1).map(l => l.split(',')[0])).toEqual(['system:default/kennedy', 'system:default/orion', 'system:default/houston']);
    expect(lines[1]).toBe('system:default/kennedy,kennedy,group:default/kennedy-launch-team,dev,fail,2026-12-01 09:00 UTC,1,0 of 5,7,0 of 1,2');
    expect(lines[2]).toBe(
      `system:default/orion,orion,group:default/houston-flight-ops,dev,pass,2026-12-01 09:00 UTC,${NO_CHANGE_KEPT},4 of 4,${NO_TRAFFIC_SOURCE},0 of 0,1`,
    );
    expect(lines.at(-1)).toBe('');
    const quoted = portfolioCsv([{ ...rows[0], title: 'Houston, "Mission Control"' }]);
    expect(quoted.split('\r\n')[1]).toContain(',"Houston, ""Mission Control""",');
  });
});
