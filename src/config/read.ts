import { type Diagnostic, UserError } from '../lib/errors.js';
import { readYamlFile, toData } from '../lib/yaml.js';
import { ConfigDoc } from './located.js';

/**
 * Read one config file into a located document. A file with only comments has no document: its data is
 * null. `dates`: YAML 1.1 documents (`%YAML 1.1`) turn timestamps into Dates; the schema expects their text.
 */
export async function readConfigDoc(
  absFile: string,
  file: string,
  opts: { single: boolean; dates: boolean },
): Promise<{ doc?: ConfigDoc; diagnostics: Diagnostic[] }> {
  try {
    const yf = await readYamlFile(absFile, file);
    if (opts.single && yf.docs.length > 1) {
      const second = yf.lineCounter.linePos(yf.docs[1]!.range[0]);
      return {
        diagnostics: [
          {
            message: `${file} holds ${yf.docs.length} YAML documents; a config file is one.`,
            location: { file, line: second.line, column: second.col },
            fix: 'merge the documents into one (remove the --- separators).',
          },
        ],
      };
    }
    const data = yf.docs.length ? toData(yf) : null;
    return { doc: new ConfigDoc(yf, opts.dates ? datesAsText(data) : data), diagnostics: [] };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    // File-level refusals (size, aliases) point at the file's first line, so they can be annotated.
    return {
      diagnostics: err.diagnostics.map((d) => ({
        ...d,
        location: { line: 1, column: 1, ...d.location, file: d.location?.file ?? file },
      })),
    };
  }
}

function datesAsText(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(datesAsText);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, datesAsText(v)]));
  return value;
}
