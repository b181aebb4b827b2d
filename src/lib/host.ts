import type { SourceLocation } from './errors.js';

/**
 * Everything an action does to the outside world besides its own work: read inputs, write outputs,
 * log, annotate, write the job summary. The GitHub Actions host maps it onto @actions/core; the CLI
 * host onto flags and a terminal. Actions never talk to either directly, so both run the same code.
 */
export interface Host {
  /** Raw input value as given ('' when absent); defaults are applied by Inputs. */
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  info(message: string): void;
  debug(message: string): void;
  notice(message: string, at?: AnnotationProps): void;
  warning(message: string, at?: AnnotationProps): void;
  error(message: string, at?: AnnotationProps): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Append markdown to the job summary (a no-op or terminal print outside Actions). */
  appendSummary(markdown: string): Promise<void>;
  /** Mark the run failed (exit code 1) with a final message. */
  fail(message: string): void;
  /** The text with every registered secret replaced (for text sent elsewhere, e.g. a PR comment). */
  redact(text: string): string;
}

export interface AnnotationProps extends Partial<SourceLocation> {
  title?: string;
}
