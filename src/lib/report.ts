import type { Host } from './host.js';
import { type Diagnostic, formatDiagnostic } from './errors.js';

/** GitHub shows at most 10 error and 10 warning annotations per step; the rest go to the log only. */
export const MAX_ANNOTATIONS_PER_KIND = 10;

/** Emit each diagnostic as an annotation at its file/line (first 10 of each kind), all of them in the log. */
export function reportDiagnostics(host: Host, diagnostics: readonly Diagnostic[]): void {
  const shown = { error: 0, warning: 0 };
  for (const d of diagnostics) {
    const kind = d.severity ?? 'error';
    const text = formatDiagnostic({ ...d, location: undefined });
    if (shown[kind] < MAX_ANNOTATIONS_PER_KIND) {
      shown[kind]++;
      const at = d.location ? { ...d.location } : undefined;
      if (kind === 'error') host.error(text, at);
      else host.warning(text, at);
    } else {
      host.info(`${kind}: ${formatDiagnostic(d)}`);
    }
  }
  const hidden = diagnostics.length - shown.error - shown.warning;
  if (hidden > 0) host.notice(`${hidden} more problem(s) are listed in the log and the job summary.`);
}
