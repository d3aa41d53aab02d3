import { InputError } from '../errors/sync-error';

/** One digit, an optional fraction, `E`, a sign, the exponent: how spreadsheets show a long number. */
const SPREADSHEET_EXPONENT = /^[+-]?\d(?:[.,]\d+)?[eE][+-]\d+$/;

/**
 * A long number as a spreadsheet writes it in its General format: one digit, an optional
 * fraction, `E`, a sign and the exponent (`4.479E+11`, `1E+10`, `4,479E+11` in a comma-decimal
 * locale). Stricter than `isScientificNotation`, for values that are ids rather than
 * numbers: the sign after the `E` is what Excel, LibreOffice and Google Sheets write, and what
 * no hexadecimal id holds (`12e45`, `1E10` are not taken for one). An id in this form is not
 * the id the source holds: `447900900123` and `447900911999` both become `4.479E+11`.
 * https://learn.microsoft.com/en-us/office/troubleshoot/excel/long-numbers-incorrectly-in-excel
 */
export function isSpreadsheetExponent(text: string): boolean {
  return SPREADSHEET_EXPONENT.test(text.trim());
}

/**
 * The `scientific_notation` error of a record whose id or match key `label` names (a column,
 * a field) is written as {@link isSpreadsheetExponent}: the record cannot be told from others,
 * so it is refused rather than matched or created under that id.
 */
export function spreadsheetExponentError(label: string): InputError {
  return new InputError(
    'scientific_notation',
    `${label} is written in a spreadsheet's scientific notation (like 4.479E+11), which keeps only the digits it shows: it may stand for several ids. Format the column as text in the spreadsheet, take the ids from the original data and export it again.`,
  );
}
