import type { ReconcileWriter } from '../../src/reconcile/apply.js';
import type { ActualExperiment, ActualJob, ActualState } from '../../src/reconcile/types.js';
import { parseVersionName } from '../../src/reconcile/identity.js';
import { withoutLineage } from '../../src/reconcile/identity.js';

/**
 * An in-memory KFP namespace for property tests of plan + apply (thousands of runs; the HTTP
 * emulator covers the same properties at a smaller count). Tracks, after every write, the most
 * versions of one schedule that were enabled at once.
 */
export class SimKfp implements ReconcileWriter {
  experiments: ActualExperiment[] = [];
  jobs: ActualJob[] = [];
  writes = 0;
  maxEnabledAtOnce = new Map<string, number>();
  /** Fail the write with this 1-based index (and only that one). */
  failAt?: number;
  private seq = 0;

  constructor(readonly namespace = 'ns') {}

  snapshot(): ActualState {
    return {
      namespace: this.namespace,
      experiments: this.experiments.map((e) => ({ ...e })),
      jobs: this.jobs.map((j) => ({
        ...j,
        spec: j.spec && { ...j.spec, description: withoutLineage(j.rawDescription) },
      })),
    };
  }

  private write(): void {
    this.writes++;
    if (this.failAt === this.writes) throw new Error(`injected failure of write ${this.writes}`);
  }

  private track(): void {
    const enabled = new Map<string, number>();
    for (const j of this.jobs) {
      const v = parseVersionName(j.name);
      if (v && j.enabled) enabled.set(v.schedule, (enabled.get(v.schedule) ?? 0) + 1);
    }
    for (const [s, n] of enabled) this.maxEnabledAtOnce.set(s, Math.max(n, this.maxEnabledAtOnce.get(s) ?? 0));
  }

  async createExperiment(name: string, description: string) {
    this.write();
    const e = { id: `e${++this.seq}`, name, description, archived: false };
    this.experiments.push(e);
    return { id: e.id };
  }
  async unarchiveExperiment(id: string) {
    this.write();
    this.experiments.find((e) => e.id === id)!.archived = false;
  }
  async createJob(job: Parameters<ReconcileWriter['createJob']>[0]) {
    this.write();
    const j: ActualJob = {
      id: `j${++this.seq}`,
      name: job.name,
      enabled: false,
      experimentId: job.experimentId,
      createdAt: this.seq,
      rawDescription: job.description,
      spec: job.spec,
    };
    this.jobs.push(j);
    return { id: j.id };
  }
  async enableJob(id: string) {
    this.write();
    this.jobs.find((j) => j.id === id)!.enabled = true;
    this.track();
  }
  async disableJob(id: string) {
    this.write();
    this.jobs.find((j) => j.id === id)!.enabled = false;
  }
  async deleteJob(id: string) {
    this.write();
    this.jobs = this.jobs.filter((j) => j.id !== id);
  }
}
