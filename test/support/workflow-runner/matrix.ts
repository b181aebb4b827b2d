import { isDeepStrictEqual } from 'node:util';
import { ExpressionFailure } from './expressions.js';

/**
 * `strategy.matrix` expanded into job combinations as GitHub documents it:
 * https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
 * - every combination of the variables, in the order the variables and their values are written;
 * - `exclude` removes the combinations that match all the keys an entry gives (a partial match);
 * - each `include` entry is added to every original combination whose original values it does not
 *   change (it may overwrite values added by an earlier include); when it fits none, it is a new
 *   combination of its own;
 * - at most 256 jobs per matrix, and a matrix without combinations does not start.
 */

export type Combination = Record<string, unknown>;

export const MAX_MATRIX_JOBS = 256;

export interface Strategy {
  combinations: Combination[];
  failFast: boolean;
  maxParallel?: number;
}

function objects(value: unknown, where: string): Combination[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => v && typeof v === 'object' && !Array.isArray(v)))
    throw new ExpressionFailure(`${where} must be a list of mappings`);
  return value as Combination[];
}

export function expandMatrix(matrix: unknown): Combination[] {
  if (!matrix || typeof matrix !== 'object' || Array.isArray(matrix))
    throw new ExpressionFailure(`strategy.matrix must be a mapping, got ${JSON.stringify(matrix)}`);
  const m = matrix as Record<string, unknown>;
  const include = objects(m.include, 'matrix include');
  const exclude = objects(m.exclude, 'matrix exclude');
  const vectors = Object.entries(m).filter(([k]) => k !== 'include' && k !== 'exclude');
  let combos: Combination[] = vectors.length ? [{}] : [];
  for (const [key, values] of vectors) {
    if (!Array.isArray(values))
      throw new ExpressionFailure(`Matrix vector '${key}' is not a list (got ${JSON.stringify(values)})`);
    if (values.length === 0) throw new ExpressionFailure(`Matrix vector '${key}' does not contain any values`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  const matches = (c: Combination, entry: Combination) =>
    Object.entries(entry).every(([k, v]) => isDeepStrictEqual(c[k], v));
  combos = combos.filter((c) => !exclude.some((e) => matches(c, e)));
  const originalKeys = vectors.map(([k]) => k);
  const original = combos.map((c) => ({ ...c }));
  const added: Combination[] = [];
  for (const entry of include) {
    let fitted = false;
    original.forEach((o, i) => {
      const changesOriginal = originalKeys.some((k) => k in entry && !isDeepStrictEqual(entry[k], o[k]));
      if (changesOriginal) return;
      Object.assign(combos[i]!, entry);
      fitted = true;
    });
    if (!fitted) added.push({ ...entry });
  }
  const all = [...combos, ...added];
  if (all.length === 0) throw new ExpressionFailure('the matrix has no combination: the job cannot start');
  if (all.length > MAX_MATRIX_JOBS)
    throw new ExpressionFailure(`the matrix makes ${all.length} jobs; GitHub runs at most ${MAX_MATRIX_JOBS}`);
  return all;
}

/** The evaluated `strategy:` of a job. `fail-fast` defaults to true. */
export function strategyOf(value: unknown): Strategy {
  if (!value || typeof value !== 'object') throw new ExpressionFailure('strategy must be a mapping');
  const s = value as Record<string, unknown>;
  for (const key of Object.keys(s))
    if (!['matrix', 'fail-fast', 'max-parallel'].includes(key))
      throw new ExpressionFailure(`strategy.${key} is not a strategy key`);
  const failFast = s['fail-fast'] ?? true;
  if (typeof failFast !== 'boolean') throw new ExpressionFailure('strategy.fail-fast must be a boolean');
  const maxParallel = s['max-parallel'];
  if (
    maxParallel !== undefined &&
    (typeof maxParallel !== 'number' || !Number.isInteger(maxParallel) || maxParallel < 1)
  )
    throw new ExpressionFailure(`strategy.max-parallel must be a whole number ≥ 1, got ${JSON.stringify(maxParallel)}`);
  return { combinations: expandMatrix(s.matrix), failFast, maxParallel: maxParallel as number | undefined };
}

/** The check name GitHub gives a matrix job without `name:`: the job id and the combination's values. */
export function matrixJobName(id: string, combination: Combination): string {
  const shown = Object.values(combination).map((v) =>
    typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v),
  );
  return `${id} (${shown.join(', ')})`;
}
