import { errorMessage } from '../lib/errors.js';
import { withLineage } from './identity.js';
import type { ApplyResult } from './apply.js';
import type { PipelineChange, PipelineStep } from './pipelines.js';

/** The writes pipeline steps need (one namespace). */
export interface PipelineWriter {
  createPipeline(name: string, description: string, shared?: boolean): Promise<{ id: string }>;
  uploadVersion(v: {
    pipelineId: string;
    name: string;
    description: string;
    filename: string;
    text: string;
  }): Promise<{ id: string }>;
  deleteVersion(pipelineId: string, versionId: string): Promise<void>;
}

export interface PipelineApplyOptions {
  /** Lineage for an uploaded version, e.g. "commit abc123 · pipelines/x.yaml". */
  lineage?: (step: Extract<PipelineStep, { op: 'upload-version' }>) => string | undefined;
  onStep?: (step: PipelineStep, outcome: 'done' | 'failed', error?: string) => void;
  stopsAll?: (err: unknown) => boolean;
  /** A pipeline created (no version) or a version uploaded, with its id: schedules created next run it. */
  onRegistered?: (pipeline: string, id: string, version?: string) => void;
}

/**
 * Apply pipeline changes, each pipeline's steps in order (create → upload → prune). A failed step ends
 * that pipeline's steps: no version is pruned after a failed upload, and the schedules keep the version
 * they run. Recorded into `result` like schedule steps.
 */
export async function applyPipelineChanges(
  changes: readonly PipelineChange[],
  writer: PipelineWriter,
  opts: PipelineApplyOptions,
  result: ApplyResult,
): Promise<void> {
  for (const change of changes) {
    let pipelineId = change.pipelineId;
    for (const step of change.steps) {
      if (result.stopped !== undefined) return;
      try {
        if (step.op === 'create-pipeline') {
          pipelineId = (await writer.createPipeline(step.pipeline, step.description, step.shared)).id;
          opts.onRegistered?.(step.pipeline, pipelineId);
        } else if (step.op === 'upload-version') {
          if (!pipelineId) throw new Error(`pipeline ${step.pipeline} was not created`);
          const description = withLineage(step.description, opts.lineage?.(step));
          const { id } = await writer.uploadVersion({
            pipelineId,
            name: step.version,
            description,
            filename: step.filename,
            text: step.text,
          });
          opts.onRegistered?.(step.pipeline, id, step.version);
        } else await writer.deleteVersion(step.pipelineId, step.versionId);
        result.writes++;
        opts.onStep?.(step, 'done');
      } catch (err) {
        const error = errorMessage(err);
        opts.onStep?.(step, 'failed', error);
        result.failures.push({ schedule: `pipeline ${change.pipeline}`, step, error });
        if (opts.stopsAll?.(err)) result.stopped ??= error;
        break;
      }
    }
  }
}
