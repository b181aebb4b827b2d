import { differingPaths, tryParseData, withoutKeys } from '../lib/yaml.js';

const DATA_FILE = /\.(ya?ml|json)$/i;

export interface Comparison {
  equal: boolean;
  /** For YAML/JSON files: the data paths that differ (volatile keys excluded). */
  keys: string[];
}

/**
 * Compare two versions of a rendered file. YAML/JSON are compared as data without the ignored
 * keys (so a new compile timestamp is not a change); anything else as text. `undefined` = absent.
 */
export function compareRendered(
  file: string,
  a: string | undefined,
  b: string | undefined,
  ignoreKeys: ReadonlySet<string>,
): Comparison {
  if (a === undefined || b === undefined) return { equal: a === b, keys: [] };
  if (a === b) return { equal: true, keys: [] };
  if (DATA_FILE.test(file)) {
    const da = tryParseData(a);
    const db = tryParseData(b);
    if (da && db) {
      // Single-document files (the usual case) get paths without a leading document index.
      const [x, y] = da.length === 1 && db.length === 1 ? [da[0], db[0]] : [da, db];
      const keys = differingPaths(withoutKeys(x, ignoreKeys), withoutKeys(y, ignoreKeys));
      return { equal: keys.length === 0, keys };
    }
  }
  return { equal: false, keys: [] };
}
