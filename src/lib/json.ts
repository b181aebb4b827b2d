import { type SourceLocation, UserError } from './errors.js';

/** Deeper nesting than this is refused: no input file needs it, and it would overflow recursive code. */
export const MAX_NESTING = 64;

/** A parsed JSON file that can say where each object key was written. */
export interface JsonFile {
  file: string;
  value: unknown;
  /** Where `path` (object keys and array indexes from the root) is written; the file's first line when unknown. */
  locate(path: readonly (string | number)[]): SourceLocation;
}

/**
 * Strict JSON for input files, hand-written because JSON.parse silently keeps the last of two equal
 * keys and has no depth limit. Every error names the file, line and column. Accepts the bare `NaN`,
 * `Infinity` and `-Infinity` that Python's json module writes (so they can be judged, not refused).
 */
export function parseJson(text: string, file: string): JsonFile {
  const keyAt = new WeakMap<object, Map<string, number>>();
  let pos = 0;
  const fail = (
    message: string,
    at = pos,
    fix = 'correct the JSON at this position (e.g. a missing comma or quote).',
  ): never => {
    throw UserError.at(`JSON syntax error: ${message}`, offsetLocation(text, file, at), fix);
  };
  const skipSpace = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos++;
  };
  const describe = (at: number) => (at >= text.length ? 'end of file' : `'${text[at]}'`);
  const literal = /(true|false|null|NaN|-?Infinity)|(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/y;
  const LITERALS: Record<string, unknown> = {
    true: true,
    false: false,
    null: null,
    NaN: NaN,
    Infinity: Infinity,
    '-Infinity': -Infinity,
  };

  const readString = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === '\\') pos++;
      else if (text.charCodeAt(pos) < 0x20)
        fail(
          'a control character (such as a line break) inside a string',
          pos,
          'escape it (\\n, \\t, \\u0000) or close the string.',
        );
      pos++;
    }
    if (pos >= text.length) fail('a string that is never closed', start, 'add the closing double quote.');
    pos++;
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      return fail(
        'an invalid escape sequence in a string',
        start,
        'use only \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX escapes.',
      );
    }
  };

  const readValue = (depth: number): unknown => {
    skipSpace();
    if (depth > MAX_NESTING) {
      fail(
        `nesting deeper than ${MAX_NESTING} levels`,
        pos,
        `flatten the data (at most ${MAX_NESTING} nested objects or lists).`,
      );
    }
    const c = text[pos];
    if (c === '{') {
      const obj: Record<string, unknown> = {};
      const keys = new Map<string, number>();
      keyAt.set(obj, keys);
      pos++;
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail(`expected a key in double quotes, found ${describe(pos)}`);
        const keyStart = pos;
        const key = readString();
        if (keys.has(key)) {
          const first = offsetLocation(text, file, keys.get(key)!);
          throw UserError.at(
            `JSON duplicate key '${key}' (first at line ${first.line}).`,
            offsetLocation(text, file, keyStart),
            'remove or rename one of the duplicated keys.',
          );
        }
        keys.set(key, keyStart);
        skipSpace();
        if (text[pos] !== ':') fail(`expected ':' after the key '${key}', found ${describe(pos)}`);
        pos++;
        // defineProperty, not assignment: a key named __proto__ must stay a plain key.
        Object.defineProperty(obj, key, {
          value: readValue(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        fail(`expected ',' or '}', found ${describe(pos)}`);
      }
    }
    if (c === '[') {
      const list: unknown[] = [];
      pos++;
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return list;
      }
      for (;;) {
        list.push(readValue(depth + 1));
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return list;
        }
        fail(`expected ',' or ']', found ${describe(pos)}`);
      }
    }
    if (c === '"') return readString();
    literal.lastIndex = pos;
    const m = literal.exec(text);
    if (!m) return fail(`unexpected ${describe(pos)}`);
    pos = literal.lastIndex;
    return m[1] !== undefined ? LITERALS[m[1]] : Number(m[2]);
  };

  if (text.charCodeAt(0) === 0xfeff) pos = 1; // a byte-order mark, as some Windows tools write
  const value = readValue(1);
  skipSpace();
  if (pos < text.length) fail(`unexpected ${describe(pos)} after the end of the JSON value`);

  const locate = (path: readonly (string | number)[]): SourceLocation => {
    let node: unknown = value;
    let offset: number | undefined;
    for (const segment of path) {
      if (!node || typeof node !== 'object') break;
      const at = keyAt.get(node)?.get(String(segment));
      if (at !== undefined) offset = at;
      node = (node as Record<string, unknown>)[segment as string];
    }
    return offsetLocation(text, file, offset ?? 0);
  };
  return { file, value, locate };
}

/** The 1-based line and column of a character offset. */
export function offsetLocation(text: string, file: string, offset: number): SourceLocation {
  const before = text.slice(0, offset).split('\n');
  return { file, line: before.length, column: before[before.length - 1]!.length + 1 };
}
