import fs from 'node:fs/promises';
import { UserError } from './errors.js';

/** Refuse input files larger than this (a config, metrics or thresholds file is far smaller). */
export const DEFAULT_MAX_INPUT_BYTES = 5 * 1024 * 1024;

/**
 * Read a file an input or config names, as UTF-8 text: a folder or an oversized file is a located
 * error instead of an EISDIR crash or minutes of parsing. A missing file throws Node's ENOENT error,
 * for the caller to word.
 */
export async function readInputFile(absPath: string, displayPath: string, opts: { maxBytes?: number; kind?: string } = {}): Promise<string> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const kind = opts.kind ?? 'input';
  const stat = await fs.stat(absPath);
  if (stat.isDirectory()) {
    throw UserError.at(`'${displayPath}' is a folder, not a file.`, { file: displayPath }, `give the path of the ${kind} file itself.`);
  }
  if (stat.size > maxBytes) {
    throw UserError.at(`File is ${stat.size} bytes, over the ${maxBytes}-byte limit for ${kind} files.`, { file: displayPath }, 'split the file or check that the right file is referenced.');
  }
  return fs.readFile(absPath, 'utf8');
}
