/** A path into parsed YAML data: keys, and numbers for list indices. */
export type DataPath = (string | number)[];

/** `recurring_runs[0].job.trigger`, or the file name for the root. */
export function humanPath(path: DataPath, file: string): string {
  if (path.length === 0) return file;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
