import { describe, expect, test } from '@jest/globals';
import {
  CLOSED_BY_ACTION,
  closedByAction,
  isNewer,
  lineageFromBody,
  lineageFromMessage,
  lineageMarker,
  lineagePins,
  lineageTrailers,
  reviewersFromBody,
  reviewersMarker,
} from '../../src/models/lineage.js';

const m = { id: 'churn/7', uri: 's3://models/churn/7', created: new Date('2026-01-17T04:00:00Z') };

describe('model lineage read back from commits and PR bodies', () => {
  test('commit trailers round-trip; a message without them has no lineage', () => {
    const message = `Update model\n\nserving/m.yaml: a → b\n\n${lineageTrailers(m)}\n`;
    expect(lineageTrailers(m)).toBe(
      'Model-Id: churn/7\nModel-Uri: s3://models/churn/7\nModel-Created: 2026-01-17T04:00:00.000Z',
    );
    expect(lineageFromMessage(message)).toEqual(m);
    expect(lineageFromMessage(lineageTrailers({ id: 'x', uri: 'y' }))).toEqual({ id: 'x', uri: 'y' });
    expect(lineageFromMessage('Update model\n\nModel: churn/7')).toBeUndefined();
  });

  test('the body marker is hidden, round-trips, and a URI cannot end the HTML comment', () => {
    const odd = { id: 'a', uri: 'https://x/y?q=--><script>' };
    const marker = lineageMarker(odd);
    expect(marker.startsWith('<!-- ') && marker.endsWith(' -->')).toBe(true);
    expect(marker.slice(5, -4)).not.toContain('>');
    expect(lineageFromBody(`${marker}\nbody`)).toEqual(odd);
    expect(lineageFromBody(`${lineageMarker(m)}\n| proposed |`)).toEqual(m);
    expect(lineageFromBody('no marker')).toBeUndefined();
    expect(lineageFromBody('<!-- kfp-gitops:open-model-pr {broken} -->')).toBeUndefined();
  });

  test('the reviewers the action requested are recorded beside the lineage', () => {
    const body = `${lineageMarker(m)}\n${reviewersMarker(['alice', 'org/ml-team'])}\nbody`;
    expect(reviewersFromBody(body)).toEqual(['alice', 'org/ml-team']);
    expect(lineageFromBody(body)).toEqual(m);
    expect(reviewersFromBody(lineageMarker(m))).toBeUndefined();
  });

  test("the action's own close is told from a person's by its marker", () => {
    expect(closedByAction(`${CLOSED_BY_ACTION}\n${lineageMarker(m)}`)).toBe(true);
    expect(closedByAction(lineageMarker(m))).toBe(false);
    expect(closedByAction(null)).toBe(false);
  });

  test('pins match by URI or id; newer only when both times are known', () => {
    expect(lineagePins(m, m.uri) && lineagePins(m, m.id)).toBe(true);
    expect(lineagePins(m, 's3://models/churn/8')).toBe(false);
    expect(isNewer(m, { created: new Date('2026-01-10T00:00:00Z') })).toBe(true);
    expect(isNewer(m, m)).toBe(false);
    expect(isNewer(m, {})).toBeUndefined();
  });
});
