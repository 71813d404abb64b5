// A streaming tokenizer for the XML parts of an .xlsx. Written for speed on the one part that is huge, the
// worksheet: it hands out elements by a small numeric id (no tag or attribute objects), attributes are read on
// demand from the tag's own text, and text is decoded only when asked for. A general SAX parser (saxes) spent
// about as long on a 100k-row sheet as the rest of the import together. Like SheetJS it reads leniently: unknown
// entities stay as typed and well-formedness is not checked; a DOCTYPE (entity definitions) is refused.

/** The elements the readers act on; every other element is OTHER. Prefixes ("x:row") are ignored. */
export const Tag = {
  OTHER: 0,
  C: 1,
  V: 2,
  F: 3,
  T: 4,
  R: 5,
  IS: 6,
  SI: 7,
  ROW: 8,
  RPH: 9,
  SHEET_DATA: 10,
  DIMENSION: 11,
  SHEET: 12,
  WORKBOOK_PR: 13,
  RELATIONSHIP: 14,
  NUM_FMT: 15,
  CELL_XFS: 16,
  XF: 17,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

const NAMES: Record<string, Tag> = {
  c: Tag.C,
  v: Tag.V,
  f: Tag.F,
  t: Tag.T,
  r: Tag.R,
  is: Tag.IS,
  si: Tag.SI,
  row: Tag.ROW,
  rPh: Tag.RPH,
  sheetData: Tag.SHEET_DATA,
  dimension: Tag.DIMENSION,
  sheet: Tag.SHEET,
  workbookPr: Tag.WORKBOOK_PR,
  Relationship: Tag.RELATIONSHIP,
  numFmt: Tag.NUM_FMT,
  cellXfs: Tag.CELL_XFS,
  xf: Tag.XF,
};

export interface XmlHandler {
  /** An element starts; `attrs` reads its attributes. A self-closing element gets close() right after. */
  open(tag: Tag, attrs: Attributes, selfClosing: boolean): void;
  close(tag: Tag): void;
  /** Text between tags, still escaped (see xmlText), or a CDATA section as it is. */
  text(raw: string, cdata: boolean): void;
}

/** The attributes of the tag being opened; valid only during open(). */
export class Attributes {
  buf = '';
  start = 0;
  end = 0;

  /** The value of attribute `name` (prefixes ignored: "r:id" is found as "id"), or undefined. */
  get(name: string): string | undefined {
    const { buf, end } = this;
    let i = this.start;
    while (i < end) {
      while (i < end && isSpace(buf.charCodeAt(i))) i++;
      const nameStart = i;
      let colon = -1;
      while (i < end) {
        const k = buf.charCodeAt(i);
        if (k === 61 || isSpace(k)) break;
        if (k === 58) colon = i;
        i++;
      }
      const nameEnd = i;
      while (i < end && isSpace(buf.charCodeAt(i))) i++;
      if (buf.charCodeAt(i) !== 61) return undefined; // not attributes as XML writes them
      i++;
      while (i < end && isSpace(buf.charCodeAt(i))) i++;
      const quote = buf[i];
      if (quote !== '"' && quote !== "'") return undefined;
      const close = buf.indexOf(quote, i + 1);
      if (close < 0 || close >= end) return undefined;
      const local = colon >= 0 ? colon + 1 : nameStart;
      if (nameEnd - local === name.length && buf.startsWith(name, local)) return xmlText(buf.slice(i + 1, close));
      i = close + 1;
    }
    return undefined;
  }
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#x([\da-fA-F]+)|#(\d+));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text with its entities and character references decoded (unknown ones stay as typed, as SheetJS reads). */
export function xmlText(raw: string): string {
  if (raw.indexOf('&') < 0) return raw;
  return raw.replace(ENTITY, (m, named: string | undefined, hex: string | undefined, dec: string | undefined) => {
    if (named) return NAMED[named];
    const code = hex ? parseInt(hex, 16) : parseInt(dec ?? '', 10);
    return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

export class XmlScanner {
  private buf = '';
  private pos = 0;
  private stopped = false;
  private readonly attrs = new Attributes();

  constructor(
    private readonly handler: XmlHandler,
    /** Named in errors. */
    private readonly part: string,
  ) {}

  /** Ends the scan: the rest of this chunk and later chunks are ignored. */
  stop(): void {
    this.stopped = true;
  }

  write(chunk: string): void {
    if (this.stopped) return;
    const buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + chunk : chunk;
    const len = buf.length;
    const h = this.handler;
    const attrs = this.attrs;
    let pos = 0;
    while (!this.stopped) {
      const lt = buf.indexOf('<', pos);
      // Text is handed out only once the tag after it has arrived, so an entity is never cut in two.
      if (lt < 0 || lt + 1 >= len) break;
      if (lt > pos) h.text(buf.slice(pos, lt), false);
      pos = lt;
      const c = buf.charCodeAt(lt + 1);
      if (c === 47) {
        // </name>
        const gt = buf.indexOf('>', lt + 2);
        if (gt < 0) break;
        h.close(tagOf(buf, lt + 2, gt));
        pos = gt + 1;
        continue;
      }
      if (c === 33) {
        if (buf.startsWith('<![CDATA[', lt)) {
          const end = buf.indexOf(']]>', lt + 9);
          if (end < 0) break;
          h.text(buf.slice(lt + 9, end), true);
          pos = end + 3;
          continue;
        }
        if (buf.startsWith('<!--', lt)) {
          const end = buf.indexOf('-->', lt + 4);
          if (end < 0) break;
          pos = end + 3;
          continue;
        }
        if (len - lt < 9) break;
        throw new Error(`${this.part}: a DOCTYPE or other declaration, which spreadsheet files never have`);
      }
      if (c === 63) {
        const end = buf.indexOf('?>', lt + 2);
        if (end < 0) break;
        pos = end + 2;
        continue;
      }
      // <name attr="v" ...> or <name .../>: the end is the first '>' outside quotes.
      let gt = -1;
      let quote = 0;
      for (let i = lt + 1; i < len; i++) {
        const k = buf.charCodeAt(i);
        if (quote) {
          if (k === quote) quote = 0;
        } else if (k === 34 || k === 39) quote = k;
        else if (k === 62) {
          gt = i;
          break;
        }
      }
      if (gt < 0) break;
      const selfClosing = buf.charCodeAt(gt - 1) === 47;
      let nameEnd = lt + 1;
      while (nameEnd < gt) {
        const k = buf.charCodeAt(nameEnd);
        if (isSpace(k) || k === 47 || k === 62) break;
        nameEnd++;
      }
      const tag = tagOf(buf, lt + 1, nameEnd);
      attrs.buf = buf;
      attrs.start = nameEnd;
      attrs.end = selfClosing ? gt - 1 : gt;
      pos = gt + 1;
      h.open(tag, attrs, selfClosing);
      if (selfClosing && !this.stopped) h.close(tag);
    }
    this.buf = buf;
    this.pos = pos;
  }
}

/** The element of the name at [start, end) (trailing spaces allowed, a prefix ignored). */
function tagOf(buf: string, start: number, end: number): Tag {
  while (end > start && isSpace(buf.charCodeAt(end - 1))) end--;
  let from = start;
  for (let i = start; i < end; i++) if (buf.charCodeAt(i) === 58) from = i + 1;
  const n = end - from;
  // The two names of every cell first, without making a string.
  if (n === 1) {
    const k = buf.charCodeAt(from);
    if (k === 99) return Tag.C;
    if (k === 118) return Tag.V;
  }
  if (n > 12) return Tag.OTHER;
  return NAMES[buf.slice(from, end)] ?? Tag.OTHER;
}
