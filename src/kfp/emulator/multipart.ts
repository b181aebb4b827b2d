/**
 * A multipart/form-data body read as KFP's upload server reads it (Go's Request.FormFile): parts
 * separated by the boundary, each with a Content-Disposition naming the field and, for files, the
 * file name. Text only: the emulator accepts pipeline YAML/JSON, not zip or tarball uploads.
 */
export interface FormPart {
  field: string;
  filename?: string;
  content: string;
}

export function parseMultipart(raw: string, contentType: string | undefined): FormPart[] | undefined {
  const m = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!m) return undefined;
  const delimiter = `--${m[1] ?? m[2]}`;
  const parts: FormPart[] = [];
  const chunks = raw.split(delimiter);
  // chunks[0] is the preamble; the last one starts with "--" (the close delimiter).
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const body = chunk.replace(/^\r?\n/, '');
    const split = /\r?\n\r?\n/.exec(body);
    if (!split) continue;
    const head = body.slice(0, split.index);
    const content = body.slice(split.index + split[0].length).replace(/\r?\n$/, '');
    const disposition = /^content-disposition:(.*)$/im.exec(head)?.[1] ?? '';
    const field = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (field === undefined) continue;
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    parts.push({ field, filename, content });
  }
  return parts;
}
