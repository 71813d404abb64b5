import { encodeTable as encodeExport, type ExportedFile, type ExportTable } from '../contacts/export';

/** Encodes a table with the contacts export writers (CSV, or XLSX in the import worker), formula-like cells neutralised. */
export function encodeTable(table: ExportTable, stem: string, format: 'csv' | 'xlsx'): Promise<ExportedFile> {
  return encodeExport(table, stem, format, 'analytics');
}
