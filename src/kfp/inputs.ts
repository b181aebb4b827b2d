import type { InputSpecs, InputValues } from '../lib/spec.js';
import { UserError } from '../lib/errors.js';
import { type KfpClientOptions } from './client.js';
import { readTokenFile } from './token-file.js';
import { API_VERSIONS } from './types.js';

/** The KFP connection inputs every KFP-facing action shares; spread into the action's spec. */
export const kfpInputSpecs = {
  'kfp-host': {
    kind: 'string',
    description:
      'KFP API prefix: the URL before `/apis/…`, e.g. `https://kubeflow.example.com/pipeline` behind the Kubeflow gateway or `http://ml-pipeline.kubeflow:8888` in-cluster.',
    required: true,
  },
  'api-version': {
    kind: 'enum',
    values: API_VERSIONS,
    description: 'KFP REST API version: `v1beta1` (needed for Argo/KFP-v1 workflows with parameters) or `v2beta1`.',
    default: 'v1beta1',
  },
  namespace: {
    kind: 'string',
    description: 'Kubeflow profile namespace the experiments and recurring runs live in (multi-user installs).',
    default: '',
  },
  'kfp-token': {
    kind: 'secret',
    description:
      'Bearer token sent as `Authorization: Bearer …`, e.g. a Kubernetes service-account token with audience `pipelines.kubeflow.org`.',
  },
  'kfp-token-file': {
    kind: 'string',
    description:
      'File holding the bearer token, read again for every request (instead of `kfp-token`), e.g. a projected service-account token that the kubelet rotates: `/var/run/secrets/kubeflow/pipelines/token`.',
  },
  'kfp-cookie': {
    kind: 'secret',
    description: 'Raw `Cookie` header for KFP behind a login gateway (e.g. `oauth2_proxy_kubeflow=…`).',
  },
  'kfp-username': {
    kind: 'string',
    description:
      'Dex username (e.g. `user@example.com`): the action logs in through the Kubeflow gateway with `kfp-password` and keeps the session cookies.',
  },
  'kfp-password': {
    kind: 'secret',
    description: 'Dex password for `kfp-username`.',
  },
  'kfp-dex-url': {
    kind: 'string',
    description:
      "Only when Dex is served from another origin than `kfp-host` (e.g. `https://dex.example.com`): the password is posted only to `kfp-host`'s origin or this one, never over plain http when `kfp-host` is https.",
  },
  'kfp-user-header': {
    kind: 'string',
    description:
      'Extra user-id header for multi-user installs behind a trusting proxy, as `name: value`, e.g. `kubeflow-userid: me@example.com`.',
  },
  'kfp-ca-file': {
    kind: 'string',
    description: 'PEM file with the CA certificate(s) that signed the KFP server certificate.',
  },
  'kfp-skip-tls-verify': {
    kind: 'boolean',
    description: 'Do not verify the KFP server certificate (insecure; prefer `kfp-ca-file`).',
    default: 'false',
  },
  'kfp-timeout-seconds': {
    kind: 'integer',
    min: 1,
    max: 3600,
    description: 'Timeout of one KFP API request, in seconds (failed idempotent requests are retried with backoff).',
    default: '30',
  },
  'kfp-retry-budget': {
    kind: 'duration',
    description:
      'Longest time one KFP API request may spend retrying 429/503 answers and connection resets (exponential backoff with jitter, honouring `Retry-After`), e.g. `2m` or `90s`.',
    default: '2m',
  },
} as const satisfies InputSpecs;

export type KfpInputs = InputValues<typeof kfpInputSpecs>;

/** Parse `name: value` (the user header input). */
export function parseHeader(text: string): { name: string; value: string } {
  const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:\s*(.+)$/.exec(text.trim());
  if (!m)
    throw new UserError(
      `Input 'kfp-user-header' must be 'name: value', e.g. 'kubeflow-userid: me@example.com' (got "${text}").`,
    );
  return { name: m[1]!, value: m[2]!.trim() };
}

/** KfpClientOptions from the shared inputs, with one clear error per bad combination. */
export function kfpOptionsFromInputs(inputs: KfpInputs): KfpClientOptions {
  const {
    'kfp-host': host,
    'kfp-username': username,
    'kfp-password': password,
    'kfp-cookie': cookie,
    'kfp-token': token,
    'kfp-token-file': tokenFile,
  } = inputs;
  if (!!username !== !!password) {
    throw new UserError(
      `Inputs 'kfp-username' and 'kfp-password' go together (only ${username ? "'kfp-username'" : "'kfp-password'"} is set). Fix: set both for a Dex login, or neither.`,
    );
  }
  if (username && cookie)
    throw new UserError(
      `Inputs 'kfp-cookie' and 'kfp-username'/'kfp-password' both give a session. Fix: keep one of them.`,
    );
  if (token && tokenFile)
    throw new UserError(
      `Inputs 'kfp-token' and 'kfp-token-file' both give a bearer token. Fix: keep one of them (kfp-token-file for a token that rotates).`,
    );
  // Fail before any work when the file is missing; the client reads it again for every request.
  if (tokenFile) readTokenFile(tokenFile);
  const header = inputs['kfp-user-header'];
  return {
    host,
    apiVersion: inputs['api-version'],
    namespace: inputs.namespace,
    token,
    tokenFile,
    cookie,
    username,
    password,
    dexUrl: inputs['kfp-dex-url'],
    userHeader: header ? parseHeader(header) : undefined,
    caFile: inputs['kfp-ca-file'],
    skipTlsVerify: inputs['kfp-skip-tls-verify'],
    timeoutMs: inputs['kfp-timeout-seconds'] * 1000,
    retry: { budgetMs: inputs['kfp-retry-budget'] * 1000 },
  };
}
