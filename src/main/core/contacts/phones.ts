import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/min';

// Phone normalisation for imports and inline edits. The "min" metadata validates by country, leading digits and
// length; it is about 3x faster than "max" on 100k rows, which keeps the import inside its benchmark budget.

export type PhoneRejectCode =
  | 'phone_empty'
  | 'phone_scientific'
  | 'phone_decimal'
  | 'phone_formula'
  | 'phone_not_text'
  | 'phone_letters'
  | 'phone_too_short'
  | 'phone_too_long'
  | 'phone_invalid';

export type PhoneResult =
  | { ok: true; e164: string; raw: string; ext: string | null }
  | { ok: false; raw: string; code: PhoneRejectCode; reason: string; fix: string };

/** A spreadsheet cell as the importer sees it (see workbook.ts). */
export type PhoneInput = string | number | boolean | Date | null | { formula: string } | { error: string };

const EXTENSION = /\s*(?:ext\.?|extn\.?|extension|x|#|;ext=)\s*(\d{1,7})\s*$/i;
const PLAIN_ASCII = /^[\d\s()+./-]+$/;
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?[eE][+]?\d+$/;
// Devanagari, Arabic-Indic, Bengali and full-width digits are typed into real spreadsheets; map them to ASCII.
const DIGIT_BLOCKS = [0x0966, 0x0660, 0x06f0, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0xff10];

function asciiDigits(text: string): string {
  return text.replace(
    /[\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u09e6-\u09ef\u0a66-\u0a6f\u0ae6-\u0aef\u0b66-\u0b6f\u0be6-\u0bef\u0c66-\u0c6f\u0ce6-\u0cef\u0d66-\u0d6f\uff10-\uff19]/g,
    (ch) => {
      const code = ch.charCodeAt(0);
      const base = DIGIT_BLOCKS.find((b) => code >= b && code <= b + 9) ?? code;
      return String(code - base);
    },
  );
}

function reject(raw: string, code: PhoneRejectCode, reason: string, fix: string): PhoneResult {
  return { ok: false, raw, code, reason, fix };
}

const FIX_TEXT_COLUMN =
  'Format the phone column as Text in the spreadsheet, type the full number again (e.g. +91 98765 43210), and re-import.';

export function normalizePhone(input: PhoneInput, country: string): PhoneResult {
  if (input === null || input === undefined)
    return reject('', 'phone_empty', 'the phone number is empty', 'Fill in the number or delete the row.');
  if (typeof input === 'number') {
    const raw = String(input);
    if (!Number.isFinite(input) || !Number.isInteger(input) || Math.abs(input) >= 1e15) {
      return reject(
        raw,
        'phone_decimal',
        `the number is stored as a decimal value (${raw}), so its digits cannot be trusted`,
        FIX_TEXT_COLUMN,
      );
    }
    return normalizeText(raw, raw, country);
  }
  if (typeof input === 'boolean' || input instanceof Date) {
    const raw = input instanceof Date ? input.toISOString() : String(input).toUpperCase();
    return reject(
      raw,
      'phone_not_text',
      `the cell holds a ${input instanceof Date ? 'date' : 'TRUE/FALSE value'}, not a phone number`,
      'Put the phone number in this column, or map the right column to Phone.',
    );
  }
  if (typeof input === 'object') {
    if ('formula' in input) {
      return reject(
        `=${input.formula}`,
        'phone_formula',
        'the cell is a formula with no saved result',
        'Open the file in Excel or LibreOffice, let it calculate, save, and import again (or paste the values as text).',
      );
    }
    return reject(
      input.error,
      'phone_invalid',
      `the cell shows the spreadsheet error ${input.error}`,
      'Fix the formula or type the number, then re-import.',
    );
  }
  const raw = input.trim();
  return normalizeText(raw, raw, country);
}

function normalizeText(text: string, raw: string, country: string): PhoneResult {
  if (text === '')
    return reject(raw, 'phone_empty', 'the phone number is empty', 'Fill in the number or delete the row.');
  if (text.startsWith('=')) {
    return reject(
      raw,
      'phone_formula',
      'the cell holds formula text instead of a number',
      'Replace the formula with the number itself (paste as values) and re-import.',
    );
  }
  if (SCIENTIFIC.test(text)) {
    const mantissa = text.split(/[eE]/)[0].replace(/[^\d]/g, '').replace(/^0+/, '');
    return reject(
      raw,
      'phone_scientific',
      `the number was saved in scientific notation (${text}): only ${mantissa.length} significant digits survived, the rest are lost and cannot be recovered`,
      FIX_TEXT_COLUMN,
    );
  }
  let cleaned: string;
  let ext: string | null = null;
  if (PLAIN_ASCII.test(text)) {
    // The common case (digits, spaces, dashes, brackets): skip Unicode folding and extension parsing.
    cleaned = text.replace(/[^\d+]/g, '');
  } else {
    cleaned = asciiDigits(text.normalize('NFKC'));
    const extMatch = EXTENSION.exec(cleaned);
    if (extMatch && /\d{6}/.test(cleaned.slice(0, extMatch.index).replace(/\D/g, ''))) {
      ext = extMatch[1];
      cleaned = cleaned.slice(0, extMatch.index);
    }
    if (/\p{L}/u.test(cleaned)) {
      return reject(
        raw,
        'phone_letters',
        'the phone number contains letters',
        'Keep only digits, spaces, dashes, brackets and a leading + in the phone column.',
      );
    }
    cleaned = cleaned.replace(/[^\d+]/g, '');
  }
  // "0091 98765 43210" and "+0091…": the international prefix written as 00.
  if (/^\+00[1-9]/.test(cleaned)) cleaned = `+${cleaned.slice(3)}`;
  else if (/^00[1-9]/.test(cleaned)) cleaned = `+${cleaned.slice(2)}`;
  if (cleaned.lastIndexOf('+') > 0) {
    return reject(
      raw,
      'phone_invalid',
      'the cell holds more than one number or a misplaced +',
      'Put one number per cell; move any second number to another column.',
    );
  }
  const digits = cleaned.replace('+', '');
  if (digits.length === 0)
    return reject(raw, 'phone_empty', 'the phone number has no digits', 'Fill in the number or delete the row.');
  const cc = country.toUpperCase() as CountryCode;
  const parsed = parsePhoneNumberFromString(cleaned, cc);
  if (parsed?.isValid()) return { ok: true, e164: parsed.number, raw, ext };
  // Typed in full international form with a plausible length: accepted even when the metadata does not know the
  // range (new number blocks, the +1 555 numbers of the COD flow's example call_list.csv); the provider has the last
  // word.
  if (parsed && cleaned.startsWith('+') && parsed.isPossible()) return { ok: true, e164: parsed.number, raw, ext };
  const lengthProblem = validatePhoneNumberLength(cleaned, cc);
  const where = cleaned.startsWith('+') ? 'for its country code' : `for ${cc}, the default country`;
  if (lengthProblem === 'TOO_SHORT' || digits.length < 5) {
    return reject(
      raw,
      'phone_too_short',
      `the number is too short (${digits.length} digits) ${where}`,
      'Check for missing digits; add the country code (e.g. +44) if it is not a number of the default country.',
    );
  }
  if (lengthProblem === 'TOO_LONG' || digits.length > 15) {
    return reject(
      raw,
      'phone_too_long',
      `the number is too long (${digits.length} digits) ${where}`,
      'Check for extra digits or two numbers typed together; put an extension after "ext".',
    );
  }
  return reject(
    raw,
    'phone_invalid',
    `not a valid phone number ${where}`,
    'Check the digits; numbers from another country need their +country code.',
  );
}
