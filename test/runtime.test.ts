import { expect, test } from '@jest/globals';

test('tests run on Node 24, the runtime the actions declare (node24)', () => {
  expect(process.versions.node.split('.')[0]).toBe('24');
});
