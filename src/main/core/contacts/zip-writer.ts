import { crc32, deflateRawSync } from 'node:zlib';

// Zip archives written in memory: the container of an .xlsx export (xlsx-writer.ts).

export interface ZipEntry {
  name: string;
  crc: number;
  /** Uncompressed size. */
  size: number;
  /** The deflated bytes, in pieces. */
  data: Buffer[];
  compressedSize: number;
}

export function deflatedEntry(name: string, raw: Buffer): ZipEntry {
  const data = deflateRawSync(raw);
  return { name, crc: crc32(raw), size: raw.length, data: [data], compressedSize: data.length };
}

/** A zip archive of deflated entries (no zip64: an export stays far below 4 GB). */
export function zipArchive(entries: ZipEntry[]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.compressedSize, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4); // made by
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(0, 12);
    header.writeUInt32LE(e.crc >>> 0, 16);
    header.writeUInt32LE(e.compressedSize, 20);
    header.writeUInt32LE(e.size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    out.push(local, name, ...e.data);
    offset += local.length + name.length + e.compressedSize;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, ...central, end]);
}
