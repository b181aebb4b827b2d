/**
 * How KFP's database compares names. KFP's default install runs MySQL 8 with the utf8mb4_0900_ai_ci
 * collation: accent- and case-insensitive, no padding. The experiments table has a unique index on
 * (Name, Namespace), so `exp-a` and `EXP-Á` are the same experiment to KFP (a second create gets 409,
 * kubeflow/pipelines#5172), and `WHERE Name = ?` finds either (backend/src/apiserver/storage/experiment_store.go).
 */
export function collationKey(name: string): string {
  // Compatibility decomposition drops accents (é → e) and folds ligatures and widths (ﬁ → fi); the
  // upper-then-lower round trip folds case including ß → ss, as UCA primary strength does.
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .toLowerCase();
}

/** True when KFP's database sees the two names as equal. */
export function sameName(a: string, b: string): boolean {
  return a === b || collationKey(a) === collationKey(b);
}

/** The item KFP would find by this name: the exact name first, else one equal under KFP's collation. */
export function findByName<T>(items: Iterable<T>, name: string, nameOf: (item: T) => string): T | undefined {
  let collated: T | undefined;
  for (const item of items) {
    const n = nameOf(item);
    if (n === name) return item;
    if (collated === undefined && sameName(n, name)) collated = item;
  }
  return collated;
}
