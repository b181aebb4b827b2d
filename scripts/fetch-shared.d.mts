// Types of scripts/fetch-shared.mjs, for the tests that import it.
export const sharedDir: string;
export const UNFETCHABLE: string[];
export type FixtureSource =
  { repo: string; commit: string; path: string } | { npm: { name: string; version: string; file: string } };
export function sourceOf(file: string): FixtureSource | undefined;
export function manifest(): [sha256: string, file: string][];
export function fetchShared(opts?: {
  dir?: string;
  githubRaw?: string;
  npmRegistry?: string;
  log?: (line: string) => void;
}): Promise<string[]>;
