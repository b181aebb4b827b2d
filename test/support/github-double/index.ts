import path from 'node:path';
import {
  type GitHubEmulator,
  type GitHubEmulatorOptions,
  startGitHubEmulator,
} from '../../../src/github/emulator/server.js';
import { sharedDir } from '../paths.js';
import { Contract } from './contract.js';
import { GraphqlContract } from './graphql-contract.js';

/**
 * The GitHub API double of the tests: the product's GitHub emulator (src/github/emulator/) with its
 * requests and answers checked against GitHub's OpenAPI description and GraphQL schema in
 * ../shared/github-api/ (see README.md). Tests assert `double.violations` stays empty.
 */

export * from '../../../src/github/emulator/server.js';
export type GitHubDouble = GitHubEmulator;

export const DEFAULT_SPEC = path.join(sharedDir, 'github-api/api.github.com.subset.json');

export interface GitHubDoubleOptions extends Omit<GitHubEmulatorOptions, 'contract' | 'graphqlContract' | 'port'> {
  /** OpenAPI description to check against (default: ../shared/github-api/…); null turns checking off. */
  spec?: string | null;
}

/** Start a double on 127.0.0.1 at a random port. */
export async function startGitHubDouble(opts: GitHubDoubleOptions = {}): Promise<GitHubDouble> {
  const { spec, ...rest } = opts;
  const file = spec === null ? undefined : (spec ?? DEFAULT_SPEC);
  const contract = file ? Contract.load(file) : undefined;
  // GitHub's GraphQL schema lives next to the REST description.
  const graphqlContract =
    contract && file ? GraphqlContract.load(path.join(path.dirname(file), 'schema.graphql')) : undefined;
  return startGitHubEmulator({
    ...rest,
    ...(contract ? { contract } : {}),
    ...(graphqlContract ? { graphqlContract } : {}),
  });
}
