import path from 'node:path';
import { type DesiredFolder, type DesiredJob, type DesiredPipelineEntry, describeSource } from '../config/types.js';
import type { TargetPipeline } from './pipelines.js';
import { type TargetSchedule, type Target, type TriggerSpec, epochSeconds as seconds } from './types.js';

function trigger(job: DesiredJob): TriggerSpec {
  const t = job.trigger;
  return t.type === 'cron'
    ? { kind: 'cron', cron: t.cron, start: seconds(t.start), end: seconds(t.end) }
    : { kind: 'periodic', intervalSeconds: t.intervalSeconds, start: seconds(t.start), end: seconds(t.end) };
}

export function toTargetSchedule(job: DesiredJob, file: string, defaultServiceAccount: string): TargetSchedule {
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

export function toTargetPipeline(p: DesiredPipelineEntry): TargetPipeline {
  const source = p.pipeline.source;
  return {
    name: p.name,
    description: p.description,
    keepVersions: p.keepVersions,
    ...(p.shared ? { shared: true } : {}),
    content: { data: p.pipeline.workflow, ...(p.pipeline.platformSpec ? { platform: p.pipeline.platformSpec } : {}) },
    text: p.text,
    filename: path.posix.basename(source.path),
    // A GitHub file names its repository and the commit its ref resolved to.
    origin: { file: source.type === 'local' ? source.path : describeSource(source) },
  };
}

/** A validated config folder as the planner's desired state for `namespace`. */
export function toTarget(folder: DesiredFolder, namespace: string, defaultServiceAccount: string): Target {
  return {
    namespace,
    experiments: folder.experiments.map((e) => ({ name: e.name, description: e.description })),
    schedules: folder.jobs.map((j) => toTargetSchedule(j, folder.recurringRunsFile, defaultServiceAccount)),
    ...(folder.pipelines ? { pipelines: folder.pipelines.map(toTargetPipeline) } : {}),
  };
}
