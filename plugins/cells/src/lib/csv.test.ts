import { csvField, toCsv } from './csv';

describe('CSV (RFC 4180)', () => {
  // Each row: a field, and how it is written.
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['carriage\rreturn', '"carriage\rreturn"'],
    [' spaced ', ' spaced '],
    ['group:default/houston-flight-ops', 'group:default/houston-flight-ops'],
  ])('writes %j as %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('ends every record with CRLF, the header first', () => {
    expect(
      toCsv(
        ['Cell', 'Owner'],
        [
          ['houston', 'group:default/a, b'],
          ['orion', ''],
        ],
      ),
    ).toBe('Cell,Owner\r\nhouston,"group:default/a, b"\r\norion,\r\n');
    expect(toCsv(['Cell'], [])).toBe('Cell\r\n');
  });
});
