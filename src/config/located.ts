import type { SourceLocation } from '../lib/errors.js';
import { type YamlFile, childNode, isPlainObject, nodeLocation } from '../lib/yaml.js';
import type { DataPath } from './data-path.js';

/** One value of a config file and where it and its key were written. */
interface Place {
  readonly value: unknown;
  readonly at: SourceLocation;
  /** Its key in a mapping; the value's own position for list items and the root. */
  readonly keyAt: SourceLocation;
}

/**
 * A config file read once: its data, and where every value in it was written, found in one walk of the
 * data beside the YAML nodes. So a check reads positions from here and never walks YAML itself. Positions
 * are those `locate` (lib/yaml.ts) gives: a value reached through an alias or a merge key takes the
 * position of the alias, and a path that goes past what was written takes that of its deepest written part.
 */
export class ConfigDoc {
  private readonly places = new Map<string, Place>();

  /** @param data the file's data as the checks see it (for config files, dates as text) */
  constructor(
    readonly yaml: YamlFile,
    readonly data: unknown,
  ) {
    const root = yaml.docs[0]?.contents;
    const at = nodeLocation(yaml, root);
    this.visit(data, root ?? undefined, [], at, at);
  }

  /** Path used in messages (repo-relative). */
  get file(): string {
    return this.yaml.file;
  }

  /** Where the value (or, with `key`, its key) at `path` starts. */
  at(path: DataPath, key = false): SourceLocation {
    for (let n = path.length; n > 0; n--) {
      const place = this.places.get(pathKey(path.slice(0, n)));
      if (place) return key && n === path.length ? place.keyAt : place.at;
    }
    return this.places.get(pathKey([]))!.at;
  }

  /** Whether a value other than null is written at `path`. */
  has(path: DataPath): boolean {
    const value = this.places.get(pathKey(path))?.value;
    return value !== null && value !== undefined;
  }

  /** The items of the root mapping's list `list` (none when it is not a list). */
  entries<T = unknown>(list: string): Entry<T>[] {
    const items = isPlainObject(this.data) ? this.data[list] : undefined;
    return Array.isArray(items) ? items.map((value: T, index) => new Entry(this, [list, index], index, value)) : [];
  }

  private visit(value: unknown, node: unknown, path: DataPath, at: SourceLocation, keyAt: SourceLocation): void {
    this.places.set(pathKey(path), { value, at, keyAt });
    const children: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : isPlainObject(value)
        ? Object.entries(value)
        : [];
    for (const [segment, v] of children) {
      const child = node === undefined ? undefined : childNode(node, segment);
      const next: unknown = child && (child.value ?? child.key);
      // Nothing written there (an alias, a merged key): the deepest written part stands for it and its values.
      if (next === undefined || next === null) {
        this.visit(v, undefined, [...path, segment], at, at);
        continue;
      }
      const valueAt = nodeLocation(this.yaml, next);
      const key = child!.key;
      const childKeyAt = key === undefined ? valueAt : key === null ? at : nodeLocation(this.yaml, key);
      this.visit(v, next, [...path, segment], valueAt, childKeyAt);
    }
  }
}

/** One item of a config file's list, with paths relative to the item. */
export class Entry<T = unknown> {
  constructor(
    readonly doc: ConfigDoc,
    /** The item's path in the file, e.g. `['recurring_runs', 3]`. */
    readonly path: DataPath,
    readonly index: number,
    readonly value: T,
  ) {}

  /** Where the value (or, with `key`, its key) at `path` below the item starts; the item itself for []. */
  at(path: DataPath = [], key = false): SourceLocation {
    return this.doc.at([...this.path, ...path], key);
  }

  /** Whether a value other than null is written at `path` below the item. */
  has(path: DataPath): boolean {
    return this.doc.has([...this.path, ...path]);
  }
}

function pathKey(path: DataPath): string {
  return JSON.stringify(path);
}
