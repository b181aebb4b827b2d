import path from 'node:path';
import type { DesiredFolder, DesiredJob, DesiredPipelineEntry } from '../config/model.js';
import type { DesiredPipeline } from './pipelines.js';
import { type DesiredSchedule, type DesiredState, type Trigger, epochSeconds as seconds } from './model.js';

function trigger(job: DesiredJob): Trigger {
  const t = job.trigger;
  return t.type === 'cron'
    ? { kind: 'cron', cron: t.cron, start: seconds(t.start), end: seconds(t.end) }
    : { kind: 'periodic', intervalSeconds: t.intervalSeconds, start: seconds(t.start), end: seconds(t.end) };
}

export function toDesiredSchedule(job: DesiredJob, file: string, defaultServiceAccount: string): DesiredSchedule {
  return {
    name: job.name,
    experiment: job.experiment,
    enabled: job.enabled,
    keepHistory: job.keepHistory,
    origin: { file: job.at.file ?? file, line: job.at.line },
    spec: {
      description: job.description ?? '',
      maxConcurrency: job.maxConcurrency,
      serviceAccount: job.serviceAccount || defaultServiceAccount,
      catchup: job.catchup,
      trigger: trigger(job),
      parameters: job.parameters,
      pipeline: job.pipelineRef
        ? {
            // Resolved against KFP before planning; a declared pipeline's file types the parameters.
            kind: job.pipeline?.kind ?? 'v2',
            data: null,
            ...(job.pipeline ? { inputs: job.pipeline.inputs } : {}),
            ref: { pipeline: job.pipelineRef.name, mode: job.pipelineRef.version },
          }
        : {
            kind: job.pipeline!.kind,
            data: job.pipeline!.workflow,
            inputs: job.pipeline!.inputs,
            ...(job.pipeline!.platformSpec ? { platform: job.pipeline!.platformSpec } : {}),
          },
    },
  };
}

export function toDesiredPipeline(p: DesiredPipelineEntry, file: string): DesiredPipeline {
  const source = p.pipeline.source;
  return {
    name: p.name,
    description: p.description,
    keepVersions: p.keepVersions,
    content: { data: p.pipeline.workflow, ...(p.pipeline.platformSpec ? { platform: p.pipeline.platformSpec } : {}) },
    text: p.text,
    filename: path.posix.basename(source.path),
    origin: { file: source.type === 'local' ? source.path : (p.at.file ?? file) },
  };
}

/** A validated config folder as the planner's desired state for `namespace`. */
export function toDesiredState(folder: DesiredFolder, namespace: string, defaultServiceAccount: string): DesiredState {
  return {
    namespace,
    experiments: folder.experiments.map((e) => ({ name: e.name, description: e.description })),
    schedules: folder.jobs.map((j) => toDesiredSchedule(j, folder.recurringRunsFile, defaultServiceAccount)),
    ...(folder.pipelines
      ? { pipelines: folder.pipelines.map((p) => toDesiredPipeline(p, folder.pipelinesFile ?? folder.folder)) }
      : {}),
  };
}
