/** Small builders for job-summary / PR-comment markdown. */

/** GitHub caps a step summary at 1 MiB and a comment body at 65,536 characters. */
export const SUMMARY_LIMIT = 1024 * 1024;
export const COMMENT_LIMIT = 65536;

/** A table cell: `|` escaped, line breaks as <br>. Backslashes stay (literal in code spans; text() escapes plain text). */
export function escapeCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function table(headers: string[], rows: string[][]): string {
  const head = `| ${headers.map(escapeCell).join(' | ')} |`;
  const sep = `| ${headers.map(() => '---').join(' | ')} |`;
  const body = rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`);
  return [head, sep, ...body].join('\n') + '\n';
}

/**
 * Plain text (a message, a user's value) as inline markdown that renders as written: `<x>` is not
 * swallowed as HTML, `__x__` and `*` do not turn into bold or italics, `[x]` is not a link.
 */
export function text(value: string): string {
  return value.replace(/[\\`*_<>[\]~&]/g, (c) => (c === '&' ? '&amp;' : `\\${c}`));
}

export function code(value: string): string {
  const ticks = value.includes('`') ? '``' : '`';
  return `${ticks}${value}${ticks}`;
}

export function fence(body: string, lang = ''): string {
  const ticks = body.includes('```') ? '````' : '```';
  return `${ticks}${lang}\n${body.replace(/\n$/, '')}\n${ticks}\n`;
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n</details>\n`;
}

/** Cut text to at most `limit` characters at a line boundary, saying so. */
export function truncate(text: string, limit: number, note = 'truncated'): string {
  if (text.length <= limit) return text;
  const marker = `\n… (${note}: ${text.length - limit} more characters)\n`;
  const cut = text.lastIndexOf('\n', limit - marker.length);
  return text.slice(0, cut > 0 ? cut : Math.max(0, limit - marker.length)) + marker;
}
