import { csvCell } from '../db/export/csv.js';
import type { Table } from './drawing.js';

// A chart's table as CSV, quoted as the calls export is (src/db/export/csv.ts: RFC 4180, CRLF line ends, and a text
// cell that a spreadsheet would run as a formula, =HYPERLINK(...) in a gym's name, gets a leading apostrophe).
// Numbers are written as numbers.

export function toCsv(t: Table): string {
  const lines = [t.columns, ...t.rows].map((row) => row.map((v) => csvCell(v, typeof v === 'number')).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
