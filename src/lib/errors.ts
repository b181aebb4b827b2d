/** Where a problem is: a repo-relative file and, when known, a 1-based line and column. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** One problem found in the user's input, with where it is and how to fix it. */
export interface Diagnostic {
  message: string;
  location?: SourceLocation;
  /** What the user should do; shown after the message. */
  fix?: string;
  severity?: 'error' | 'warning';
}

/**
 * A problem the user can fix (bad input, bad config). Distinct from internal failures:
 * it is reported without a stack trace, with its location as an annotation.
 */
export class UserError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super(message);
    this.name = 'UserError';
    this.diagnostics = diagnostics;
  }

  static at(message: string, location?: SourceLocation, fix?: string): UserError {
    return new UserError(formatDiagnostic({ message, location, fix }), [{ message, location, fix }]);
  }
}

/**
 * The check ran and found the user's content wanting (stale render, failed gate).
 * Everything was already reported; the action just exits 1.
 */
export class CheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailed';
  }
}

export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  return s;
}

/** "file:line:col: message. Fix: …" — the one textual form of a diagnostic. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = formatLocation(d.location);
  const fix = d.fix ? ` Fix: ${d.fix}` : '';
  return `${where ? `${where}: ` : ''}${d.message}${fix}`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
