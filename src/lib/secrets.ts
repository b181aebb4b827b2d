import type { Host } from './host.js';

/** What replaces a secret in any text that leaves the action. */
export const REDACTED = '***';

/**
 * The known secrets of a run and the forms they travel in (as given, URL-encoded, JSON-escaped), so
 * that text an upstream echoes back (an MLflow 401 quoting the Authorization header) is redacted too.
 */
export class Secrets {
  private readonly forms = new Set<string>();

  add(value: string): void {
    if (!value.trim()) return;
    for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) this.forms.add(form);
  }

  redact(text: string): string {
    if (this.forms.size === 0 || !text) return text;
    // Longest first, so a secret that contains another is replaced whole.
    return [...this.forms].sort((a, b) => b.length - a.length).reduce((acc, s) => acc.split(s).join(REDACTED), text);
  }
}

/** Environment variables the toolkit uses as credentials (the CLI's and MLflow's fallbacks for inputs). */
const CREDENTIAL_ENV = ['GITHUB_TOKEN', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_PASSWORD'];

/** The credentials the environment gives, with the HTTP Basic form MLflow's username/password are sent in. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const out = CREDENTIAL_ENV.map((name) => env[name] ?? '').filter((v) => v.trim());
  if (env.MLFLOW_TRACKING_USERNAME && env.MLFLOW_TRACKING_PASSWORD) {
    out.push(Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD}`).toString('base64'));
  }
  return out;
}

/**
 * The one place where text leaves for GitHub or the terminal: every message, output, summary and group
 * title written through the returned host is redacted of every secret registered with `setSecret`;
 * `redact` does the same for text sent elsewhere (the PR comment). GitHub's log masking does not cover
 * outputs read by later steps, job summaries or comments, so it is done here for all of them.
 */
export function redactingHost(host: Host): Host {
  const secrets = new Secrets();
  const r = (s: string) => secrets.redact(s);
  return {
    getInput: (name) => host.getInput(name),
    setOutput: (name, value) => host.setOutput(name, r(value)),
    setSecret: (value) => {
      secrets.add(value);
      host.setSecret(value);
    },
    info: (m) => host.info(r(m)),
    debug: (m) => host.debug(r(m)),
    notice: (m, at) => host.notice(r(m), at),
    warning: (m, at) => host.warning(r(m), at),
    error: (m, at) => host.error(r(m), at),
    group: (title, fn) => host.group(r(title), fn),
    appendSummary: (md) => host.appendSummary(r(md)),
    fail: (m) => host.fail(r(m)),
    redact: r,
  };
}
