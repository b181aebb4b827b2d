import type { Model } from '../model.js';

/** What a source found: usable models, newest first, and remarks worth logging. */
export interface ModelListing {
  models: Model[];
  /** e.g. "version 8 is PENDING_REGISTRATION; skipped". */
  notes: string[];
  /** One line saying where the models came from, for logs and summaries. */
  origin: string;
}

/** What sources may use: where relative paths and commands start, the environment, the log. */
export interface ModelSourceContext {
  workspace: string;
  /** The checkout that `file:` paths must stay inside (default: workspace). */
  root?: string;
  env: NodeJS.ProcessEnv;
  mlflow: { trackingUri?: string; token?: string };
  log: (message: string) => void;
}
