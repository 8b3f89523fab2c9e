/** One field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A header and rows as RFC 4180 CSV: fields separated by commas, each record ended by CRLF. */
export function toCsv(header: string[], rows: string[][]): string {
  return [header, ...rows].map(r => `${r.map(csvField).join(',')}\r\n`).join('');
}
