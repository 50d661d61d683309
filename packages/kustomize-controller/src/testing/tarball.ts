// SPDX-License-Identifier: Apache-2.0
/**
 * Test helper: writes tarballs byte by byte, so tests can build archives no well-behaved tool
 * would produce (absolute names, `..` segments, escaping links, devices) as well as ordinary
 * artifacts from a directory tree, laid out like source-controller's (uid/gid 0, zero mtimes).
 */
import { readdirSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One raw tar entry. */
export interface TarEntry {
  name: string;
  /** `0` file (default), `1` hard link, `2` symlink, `3` char device, `5` directory, `6` FIFO. */
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7';
  body?: string | Uint8Array;
  linkname?: string;
  mode?: number;
  /** Overrides the size field (to lie about it). */
  size?: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, type: string, size: number, mode: number, linkname: string): Buffer {
  const h = Buffer.alloc(512, 0);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write(linkname.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest, 0)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
  return `${len}${body}`;
}

/** Builds an uncompressed tar stream from raw entries (pax headers for long names/links). */
export function tarBytes(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.body === undefined ? Buffer.alloc(0) : Buffer.from(e.body);
    const type = e.type ?? '0';
    const linkname = e.linkname ?? '';
    if (Buffer.byteLength(e.name) > 100 || Buffer.byteLength(linkname) > 100) {
      let pax = '';
      if (Buffer.byteLength(e.name) > 100) pax += paxRecord('path', e.name);
      if (Buffer.byteLength(linkname) > 100) pax += paxRecord('linkpath', linkname);
      const pb = Buffer.from(pax);
      parts.push(header('PaxHeader', 'x', pb.length, 0o644, ''), pad(pb));
    }
    const size = e.size ?? (type === '0' ? body.length : 0);
    parts.push(header(e.name, type, size, e.mode ?? (type === '5' ? 0o755 : 0o644), linkname));
    if (type === '0' && body.length > 0) parts.push(pad(body));
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}

/** Builds a gzip-compressed tarball from raw entries. */
export function tarGz(entries: TarEntry[]): Buffer {
  return gzipSync(tarBytes(entries));
}

/** Lists a directory tree as tar entries (sorted, directories first), symlinks included. */
export function entriesFromDir(root: string): TarEntry[] {
  const out: TarEntry[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.push({ name: rel, type: '2', linkname: readlinkSync(p) });
      else if (st.isDirectory()) {
        out.push({ name: `${rel}/`, type: '5' });
        walk(p, rel);
      } else out.push({ name: rel, body: readFileSync(p), mode: st.mode & 0o777 });
    }
  };
  walk(root, '');
  return out;
}

/** Builds a gzip-compressed tarball of a directory tree. */
export function tarGzDir(root: string): Buffer {
  return tarGz(entriesFromDir(root));
}

/** Builds a gzip-compressed tarball from a map of relative path to file content. */
export function tarGzFiles(files: Record<string, string | Uint8Array>): Buffer {
  return tarGz(Object.entries(files).map(([name, body]) => ({ name, body })));
}
