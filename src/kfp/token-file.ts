import fs from 'node:fs';
import { UserError } from '../lib/errors.js';

/**
 * The bearer token in `file`, read afresh on every call: the kubelet rotates a projected
 * service-account token in place (an atomic symlink swap), so a long run keeps a valid token.
 */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UserError(
      `kfp-token-file '${file}' cannot be read (${code}). Fix: mount the token there (in Kubernetes, a projected ` +
        `serviceAccountToken volume with audience pipelines.kubeflow.org) or point kfp-token-file at the file that holds it.`,
    );
  }
  const token = text.trim();
  if (!token)
    throw new UserError(
      `kfp-token-file '${file}' is empty. Fix: point kfp-token-file at a file holding a bearer token (e.g. a service-account token with audience pipelines.kubeflow.org).`,
    );
  return token;
}
