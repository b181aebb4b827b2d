import { stringify } from 'yaml';

/**
 * A small v2 IR pipeline as `kfp.compiler` writes it (two inputs, one task), with an optional
 * kfp-kubernetes platform spec as the second YAML document. Written here, not copied from the SDK.
 */
export function irPipeline(
  opts: { name?: string; msgDefault?: string; platform?: boolean; schemaVersion?: string } = {},
): string {
  const spec = {
    components: {
      'comp-echo': {
        executorLabel: 'exec-echo',
        inputDefinitions: { parameters: { msg: { parameterType: 'STRING' } } },
      },
    },
    deploymentSpec: {
      executors: {
        'exec-echo': {
          container: { image: 'python:3.11', command: ['echo'], args: ['{{$.inputs.parameters["msg"]}}'] },
        },
      },
    },
    pipelineInfo: { name: opts.name ?? 'two-inputs' },
    root: {
      dag: {
        tasks: {
          echo: {
            componentRef: { name: 'comp-echo' },
            taskInfo: { name: 'echo' },
            inputs: { parameters: { msg: { componentInputParameter: 'msg' } } },
          },
        },
      },
      inputDefinitions: {
        parameters: {
          msg: { defaultValue: opts.msgDefault ?? 'hi', isOptional: true, parameterType: 'STRING' },
          x: { defaultValue: 1, isOptional: true, parameterType: 'NUMBER_DOUBLE' },
        },
      },
    },
    schemaVersion: opts.schemaVersion ?? '2.1.0',
    sdkVersion: 'kfp-2.17.0',
  };
  let text = stringify(spec);
  if (opts.platform) {
    text +=
      '---\n' +
      stringify({
        platforms: {
          kubernetes: { deploymentSpec: { executors: { 'exec-echo': { nodeSelector: { labels: { pool: 'cpu' } } } } } },
        },
      });
  }
  return text;
}

/** A multipart upload as the SDK sends it: the file in `uploadfile`, everything else in the query. */
export async function upload(
  base: string,
  path: string,
  file: string,
  query: Record<string, string>,
  filename = 'pipeline.yaml',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string }> {
  const form = new FormData();
  form.append('uploadfile', new Blob([file], { type: 'application/octet-stream' }), filename);
  const res = await fetch(`${base}${path}?${new URLSearchParams(query)}`, { method: 'POST', body: form, headers });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}
