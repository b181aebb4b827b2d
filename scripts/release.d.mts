// Types of scripts/release.mjs, for the tests that import it.
export interface ReleaseInfo {
  version: string;
  prerelease: boolean;
  majorTag: string;
  npmTag: string;
}
export function releaseInfo(tag: string, version: string, tags?: string[]): ReleaseInfo;
export function changelogSection(text: string, version: string): string;
export function publishedManifest(pkg: Record<string, any>, env?: NodeJS.ProcessEnv): Record<string, any>;
