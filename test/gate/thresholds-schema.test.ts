import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { parseYaml } from '../../src/lib/yaml.js';
import { parseThresholds } from '../../src/gate/thresholds.js';
import { repoRoot } from '../support/paths.js';

/**
 * schemas/thresholds.schema.json is for editors (the action reports problems itself, with lines): it must
 * accept what the gate accepts and reject what the gate rejects, for every form the README shows.
 */
const gen = (await import(path.join(repoRoot, 'scripts/gen-validators.mjs'))) as { ajvOptions: object };
const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas/thresholds.schema.json'), 'utf8'));
const validate = new Ajv(gen.ajvOptions).compile(schema);

function gateAccepts(text: string): boolean {
  try {
    parseThresholds(parseYaml(text, 't.yaml'));
    return true;
  } catch {
    return false;
  }
}

const VALID = [
  fs.readFileSync(path.join(repoRoot, 'examples/quality/thresholds.yaml'), 'utf8'),
  'significance: 0.05\n"recall.*": {greater_is_better: true, min_absolute_change: -0.05}\n',
  '"recall.*": {min: 0.3, max_failing: 2}\n',
  '"precision.*": {min: 0.5, aggregate: mean, warn: {min: 0.6}}\n',
  'acc: {threshold: 0.8, greater_is_better: true, significance: 0.01}\n',
  'significance: {max: 0.05}\n',
];
const INVALID = [
  'acc: {mni: 0.8}\n',
  'significance: 0.7\nacc: {min: 0.5}\n',
  'acc: {min: 0.5, significance: 0}\n',
  '"a.*": {min: 0.5, max_failing: 1, aggregate: min}\n',
  '"a.*": {min: 0.5, max_failing: -1}\n',
  '"a.*": {min: 0.5, max_failing: 1.5}\n',
  '"a.*": {min: 0.5, aggregate: median}\n',
  'acc: {min: 0.5, warn: {significance: 0.05}}\n',
];

describe('thresholds JSON schema', () => {
  test.each(VALID.map((t) => [t]))('accepts what the gate accepts: %s', (text) => {
    expect(gateAccepts(text)).toBe(true);
    expect(validate(parse(text))).toBe(true);
  });
  test.each(INVALID.map((t) => [t]))('rejects what the gate rejects: %s', (text) => {
    expect(gateAccepts(text)).toBe(false);
    expect(validate(parse(text))).toBe(false);
  });
});
