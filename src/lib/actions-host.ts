import * as core from '@actions/core';
import type { AnnotationProps, Host } from './host.js';

function toCore(at?: AnnotationProps): core.AnnotationProperties | undefined {
  if (!at) return undefined;
  return {
    title: at.title,
    file: at.file,
    startLine: at.line,
    endLine: at.endLine ?? at.line,
    // GitHub drops columns when the annotation spans several lines.
    startColumn: at.endLine && at.endLine !== at.line ? undefined : at.column,
    endColumn: at.endLine && at.endLine !== at.line ? undefined : at.endColumn,
  };
}

/** The host of a real GitHub Actions step: @actions/core all the way. */
export function actionsHost(): Host {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    info: (m) => core.info(m),
    debug: (m) => core.debug(m),
    notice: (m, at) => core.notice(m, toCore(at)),
    warning: (m, at) => core.warning(m, toCore(at)),
    error: (m, at) => core.error(m, toCore(at)),
    group: (title, fn) => core.group(title, fn),
    appendSummary: async (md) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(md, true).write();
      core.summary.emptyBuffer();
    },
    fail: (m) => core.setFailed(m),
    // Secrets are redacted by redactingHost (lib/secrets.ts), which every action runs behind.
    redact: (text) => text,
  };
}
