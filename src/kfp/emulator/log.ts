/** Every API request the emulator answered: for fault tests, contract tests and the benchmark. */
export interface LoggedRequest {
  seq: number;
  method: string;
  /** The route template (e.g. `POST /apis/v1beta1/jobs/{id}/enable`), or `METHOD path` when unmatched. */
  route: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The call changed state (a 2xx non-GET, or one applied before an injected fault). */
  write: boolean;
  fault?: string;
  requestBody?: unknown;
  responseBody?: unknown;
}

export class RequestLog {
  readonly entries: LoggedRequest[] = [];
  /** Called after each API request (e.g. to check an invariant at every step of an apply). */
  onEntry?: (entry: LoggedRequest) => void;

  constructor(readonly keepBodies = true) {}

  add(e: Omit<LoggedRequest, 'seq'>): LoggedRequest {
    const entry = { seq: this.entries.length + 1, ...e };
    if (!this.keepBodies) {
      delete entry.requestBody;
      delete entry.responseBody;
    }
    this.entries.push(entry);
    this.onEntry?.(entry);
    return entry;
  }

  get calls(): number {
    return this.entries.length;
  }

  get writes(): number {
    return this.entries.filter((e) => e.write).length;
  }

  /** Calls per route template. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries) out[e.route] = (out[e.route] ?? 0) + 1;
    return out;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
