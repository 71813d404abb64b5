import { describe, expect, it } from 'vitest';
import {
  decodeText,
  detectSeparator,
  neutralizeCell,
  parseCsv,
  splitRawFields,
} from '../../src/main/core/contacts/csv';
import { normalizePhone } from '../../src/main/core/contacts/phones';

const ok = (input: Parameters<typeof normalizePhone>[0], country = 'IN') => {
  const r = normalizePhone(input, country);
  if (!r.ok) throw new Error(`expected ${String(input)} to be accepted: ${r.reason}`);
  return r;
};
const bad = (input: Parameters<typeof normalizePhone>[0], country = 'IN') => {
  const r = normalizePhone(input, country);
  if (r.ok) throw new Error(`expected ${String(input)} to be rejected, got ${r.e164}`);
  return r;
};

describe('phone normalisation', () => {
  it('turns the messy Indian formats into one E.164 number', () => {
    for (const typed of [
      '9876543210',
      '+91 98765 43210',
      '+91-98765-43210',
      '098765 43210',
      '0091 98765 43210',
      '(+91) 98765-43210',
      '919876543210',
      ' 98765\u00a043210 ',
      '९८७६५४३२१०',
    ]) {
      expect(ok(typed).e164, typed).toBe('+919876543210');
    }
    expect(ok(9876543210).e164).toBe('+919876543210');
    expect(ok(919876543210).raw).toBe('919876543210');
  });

  it('keeps what was typed and splits off an extension', () => {
    const r = ok('(022) 2345 6789 ext. 12');
    expect(r).toMatchObject({ e164: '+912223456789', raw: '(022) 2345 6789 ext. 12', ext: '12' });
    expect(ok('+1 415-555-2671 x7').ext).toBe('7');
  });

  it('uses the default country only for numbers without a country code', () => {
    expect(ok('(415) 555-2671', 'US').e164).toBe('+14155552671');
    expect(ok('+44 20 7946 0958', 'US').e164).toBe('+442079460958');
    // The COD flow's example numbers: not in any assigned range, but fully international and of a possible length.
    expect(ok('+15551234567').e164).toBe('+15551234567');
  });

  it('explains every rejection with a reason and a fix', () => {
    expect(bad('9.87654E+09')).toMatchObject({ code: 'phone_scientific' });
    expect(bad('9.87654E+09').reason).toContain('only 6 significant digits survived');
    expect(bad(98765.5)).toMatchObject({ code: 'phone_decimal' });
    expect(bad('')).toMatchObject({ code: 'phone_empty' });
    expect(bad(null)).toMatchObject({ code: 'phone_empty' });
    expect(bad('12345')).toMatchObject({ code: 'phone_too_short' });
    expect(bad('98765432109876543')).toMatchObject({ code: 'phone_too_long' });
    expect(bad('call me later')).toMatchObject({ code: 'phone_letters' });
    expect(bad('=A2*1')).toMatchObject({ code: 'phone_formula' });
    expect(bad({ formula: 'B2+1' })).toMatchObject({ code: 'phone_formula' });
    expect(bad(true)).toMatchObject({ code: 'phone_not_text' });
    expect(bad('0000000000')).toMatchObject({
      code: 'phone_invalid',
      reason: 'not a valid phone number for IN, the default country',
    });
    for (const r of [bad('12345'), bad('9.87654E+09'), bad('')]) expect(r.fix.length).toBeGreaterThan(10);
  });
});

describe('delimited text', () => {
  it('decodes a UTF-8 BOM and detects semicolons, quoted separators and line breaks', () => {
    const bytes = Buffer.from(
      '\ufeffname;phone;note\r\n"Doe; John";+91 98765 43210;"two\r\nlines"\r\nराहुल;9876543211;"say ""hi"""\r\n',
      'utf8',
    );
    const { text, bom, encoding } = decodeText(bytes);
    expect([bom, encoding]).toEqual(['\ufeff', 'utf-8']);
    const { sep } = detectSeparator(text, false);
    expect(sep).toBe(';');
    const rows = parseCsv(text, sep).map((r) => r.values);
    expect(rows).toEqual([
      ['name', 'phone', 'note'],
      ['Doe; John', '+91 98765 43210', 'two\r\nlines'],
      ['राहुल', '9876543211', 'say "hi"'],
    ]);
    const second = parseCsv(text, sep)[1];
    expect(splitRawFields(text.slice(second.start, second.end), sep)).toEqual([
      '"Doe; John"',
      '+91 98765 43210',
      '"two\r\nlines"',
    ]);
  });

  it("honours Excel's sep= line and falls back to Windows-1252 for non-UTF-8 bytes", () => {
    expect(detectSeparator('sep=|\na|b\n', false)).toEqual({ sep: '|', skipFirstLine: true });
    expect(decodeText(Buffer.from([0x4a, 0x6f, 0x73, 0xe9])).text).toBe('José');
  });

  it('neutralises formula-looking cells but leaves numbers and E.164 phones alone', () => {
    expect(neutralizeCell('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    expect(neutralizeCell('+SUM(A1)')).toBe("'+SUM(A1)");
    expect(neutralizeCell('-1+2')).toBe("'-1+2");
    expect(neutralizeCell('@cmd')).toBe("'@cmd");
    expect(neutralizeCell('\tx')).toBe("'\tx");
    expect(neutralizeCell('\rx')).toBe("'\rx");
    expect(neutralizeCell('+919876543210')).toBe('+919876543210');
    expect(neutralizeCell('-12.5')).toBe('-12.5');
    expect(neutralizeCell('Ravi')).toBe('Ravi');
  });
});
