import fs from 'node:fs';
import { UserError } from '../../lib/errors.js';
import { locate, parseYaml, toData } from '../../lib/yaml.js';
import type { Role, TokenIdentity } from './server.js';

/**
 * The emulator's `--auth FILE`: bearer tokens, who each one is, and its Kubeflow role per namespace.
 *
 *   tokens:
 *     <bearer token>: {user: alice@example.com, namespaces: {team-1: edit, team-2: view}}
 */
export function loadAuthFile(file: string): Record<string, TokenIdentity> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `--auth file '${file}' cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    );
  }
  const yf = parseYaml(text, file);
  const bad = (message: string, at: (string | number)[]) =>
    UserError.at(
      message,
      locate(yf, at),
      'write `tokens: {<token>: {user: <name>, namespaces: {<namespace>: view|edit}}}`.',
    );
  const data = toData(yf) as { tokens?: unknown } | null;
  const tokens = data?.tokens;
  if (!tokens || typeof tokens !== 'object' || Array.isArray(tokens))
    throw bad('The auth file needs a `tokens` map.', []);
  const out: Record<string, TokenIdentity> = {};
  for (const [i, [token, entry]] of Object.entries(tokens).entries()) {
    const e = entry as { user?: unknown; namespaces?: unknown } | null;
    // The token itself is a secret: never in a message.
    if (typeof e?.user !== 'string' || e.user === '')
      throw bad(`Token number ${i + 1} has no \`user\`.`, ['tokens', token]);
    const namespaces = e.namespaces ?? {};
    if (typeof namespaces !== 'object' || Array.isArray(namespaces))
      throw bad(`\`namespaces\` of user '${e.user}' must be a map of namespace: view|edit.`, [
        'tokens',
        token,
        'namespaces',
      ]);
    for (const [ns, role] of Object.entries(namespaces as object)) {
      if (role !== 'view' && role !== 'edit')
        throw bad(`Role '${String(role)}' of user '${e.user}' in namespace '${ns}' is not view or edit.`, [
          'tokens',
          token,
          'namespaces',
          ns,
        ]);
    }
    out[token] = { user: e.user, namespaces: namespaces as Record<string, Role> };
  }
  return out;
}
