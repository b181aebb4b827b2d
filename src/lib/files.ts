import fs from 'node:fs/promises';
import { UserError } from './errors.js';

/** Refuse input files larger than this (a config, metrics or thresholds file is far smaller). */
export const DEFAULT_MAX_INPUT_BYTES = 5 * 1024 * 1024;

/**
 * Read a file an input or config names, as UTF-8 text: a folder, an oversized file or bytes that are
 * not UTF-8 are a located error instead of an EISDIR crash, minutes of parsing or silent U+FFFDs. A missing file throws Node's ENOENT error,
 * for the caller to word.
 */
export async function readInputFile(
  absPath: string,
  displayPath: string,
  opts: { maxBytes?: number; kind?: string } = {},
): Promise<string> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const kind = opts.kind ?? 'input';
  const stat = await fs.stat(absPath);
  if (stat.isDirectory()) {
    throw UserError.at(
      `'${displayPath}' is a folder, not a file.`,
      { file: displayPath },
      `give the path of the ${kind} file itself.`,
    );
  }
  if (stat.size > maxBytes) {
    throw UserError.at(
      `File is ${stat.size} bytes, over the ${maxBytes}-byte limit for ${kind} files.`,
      { file: displayPath },
      'split the file or check that the right file is referenced.',
    );
  }
  return decodeUtf8(await fs.readFile(absPath), displayPath);
}

/** The text of UTF-8 bytes; invalid UTF-8 is a located error instead of silently becoming U+FFFD. */
export function decodeUtf8(bytes: Buffer, displayPath: string): string {
  const text = bytes.toString('utf8');
  if (!text.includes('\uFFFD')) return text;
  // Valid text round-trips byte for byte: the first byte that differs starts the invalid sequence.
  const again = Buffer.from(text, 'utf8');
  let at = 0;
  while (at < bytes.length && bytes[at] === again[at]) at++;
  if (at >= bytes.length) return text; // a real U+FFFD written in UTF-8
  const before = bytes.subarray(0, at);
  const line = before.filter((b) => b === 0x0a).length + 1;
  const column = Buffer.from(before.subarray(before.lastIndexOf(0x0a) + 1)).toString('utf8').length + 1;
  throw UserError.at(
    `The file is not valid UTF-8 (byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at offset ${at}).`,
    { file: displayPath, line, column },
    'save the file as UTF-8 (it may be in Latin-1 or Windows-1252).',
  );
}
