import type { RawPipelineRef } from './pipeline-ref.js';
import type { Entry } from './located.js';

/** The shapes of the config files' entries once they passed the schema (schemas/*.schema.json). */

export interface RawFileRef extends RawPipelineRef {
  path?: string;
  github_owner?: string;
  github_repo?: string;
  git_reference?: string;
  file_path?: string;
}

export interface RawParameter {
  name: string;
  value?: string;
  valueFrom?: RawFileRef;
}

export interface RawRun {
  keep_history?: number;
  pipeline_source: RawFileRef;
  pipeline_parameters?: RawParameter[];
  job: {
    enabled: boolean;
    name: string;
    description?: string | null;
    experiment: string;
    max_concurrency: number;
    service_account?: string | null;
    trigger: RawTrigger;
  };
}

export interface RawTrigger {
  catchup: boolean;
  start_date?: string | null;
  end_date?: string | null;
  cron?: string | null;
  interval_seconds?: number | null;
}

export interface RawPipelineEntry {
  name: string;
  description?: string;
  keep_versions?: number;
  shared?: boolean;
  source: RawFileRef;
}

/** One schema-valid `recurring_runs[]` item with where each of its values is written. */
export type RunEntry = Entry<RawRun>;
