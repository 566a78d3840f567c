import ExcelJS from 'exceljs';

/** An .xlsx file's bytes read back with exceljs. */
export async function readWorkbook(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  // exceljs declares its own Buffer type; the bytes are a Node Buffer
  await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  return workbook;
}
