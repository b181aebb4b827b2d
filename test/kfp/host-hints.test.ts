import { expect, test } from '@jest/globals';
import { createKfpClient } from '../../src/kfp/client.js';
import { UserError } from '../../src/lib/errors.js';

function recorder() {
  const warnings: string[] = [];
  return {
    warnings,
    host: { setSecret: () => undefined, debug: () => undefined, warning: (m: string) => warnings.push(m) },
  };
}

test.each([
  ['https://kubeflow.example.com/pipeline/apis/v1beta1', 'https://kubeflow.example.com/pipeline', 'v1beta1'],
  ['http://ml-pipeline.kubeflow:8888/apis/v2beta1/', 'http://ml-pipeline.kubeflow:8888', 'v2beta1'],
])('kfp-host %s gets the prefix to use instead', (host, prefix, version) => {
  const make = () => createKfpClient({ host, apiVersion: 'v1beta1' });
  expect(make).toThrow(UserError);
  expect(make).toThrow(
    `kfp-host '${host}' ends in /apis/${version}, which the toolkit adds itself. Fix: set kfp-host to '${prefix}'`,
  );
});

test('a token and a cookie given together get a warning; one credential does not', () => {
  const both = recorder();
  createKfpClient(
    { host: 'http://127.0.0.1:1', apiVersion: 'v1beta1', token: 't0k', cookie: 'session=c00kie' },
    both.host,
  ).close();
  expect(both.warnings).toEqual([
    expect.stringMatching(/^kfp-token and kfp-cookie are both set: both credentials are sent/),
  ]);
  expect(both.warnings.join()).not.toMatch(/t0k|c00kie/);
  const one = recorder();
  createKfpClient({ host: 'http://127.0.0.1:1', apiVersion: 'v1beta1', token: 't0k' }, one.host).close();
  expect(one.warnings).toEqual([]);
});
