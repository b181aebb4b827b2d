import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { loadAuthFile } from '../../src/kfp/emulator/auth-file.js';
import { checkAndCloseHarnessesAfterEach, harness } from './helpers.js';
import { describeWithShared } from '../support/paths.js';

/**
 * Authorization as KFP decides it: each verb on each resource is a SubjectAccessReview
 * (backend/src/apiserver/resource/resource_manager.go IsAuthorized; server/job_server.go canAccessJob,
 * experiment_server.go canAccessExperiment), the identity from a TokenReview (auth/authenticator_token_review.go).
 * Kubeflow's `view` role allows get and list only.
 */
checkAndCloseHarnessesAfterEach();
const identities = {
  'tok-alice': { user: 'alice@example.com', namespaces: { 'team-1': 'edit', 'team-2': 'view' } },
} as const;

describeWithShared.each(['v1beta1', 'v2beta1'] as const)('per-verb authorization (%s)', (version) => {
  test('view may get and list; a write is 403 naming the user, verb, resource and namespace; edit may write', async () => {
    const h = await harness(
      version,
      { auth: { identities: structuredClone(identities) as never } },
      { token: 'tok-alice' },
    );
    h.emu.state.seedExperiment({ name: 'exp', namespace: 'team-2' });
    expect((await h.client.listExperiments('team-2')).map((e) => e.name)).toEqual(['exp']);
    expect(await h.client.listRecurringRuns({ namespace: 'team-2' })).toEqual([]);
    const err = await h.client.createExperiment({ name: 'new', namespace: 'team-2' }).catch((e: Error) => e);
    expect(String(err)).toMatch(
      /HTTP 403 — .*PermissionDenied: User 'alice@example.com' is not authorized with reason: {2}\(request: &ResourceAttributes\{Namespace:team-2,Verb:create,Group:pipelines.kubeflow.org,Version:v1beta1,Resource:experiments,Subresource:,Name:new,/,
    );
    expect(String(err)).toMatch(
      /Check: permissions: the identity may not 'create' experiments in namespace 'team-2'.*'view' role only allows get and list/,
    );
    expect((await h.client.createExperiment({ name: 'new', namespace: 'team-1' })).name).toBe('new');
    // A namespace the token has no role in: not even list.
    await expect(h.client.listExperiments('team-3')).rejects.toThrow(/HTTP 403 .*Verb:list.*Resource:experiments/);
    expect(h.emu.log.writes).toBe(1);
  });

  test('an unknown or missing token is 401 (KFP found no identity); healthz needs none', async () => {
    const wrong = await harness(
      version,
      { auth: { identities: structuredClone(identities) as never } },
      { token: 'tok-mallory' },
    );
    const err = await wrong.client.listExperiments('team-1').catch((e: Error) => e);
    expect(String(err)).toMatch(
      /HTTP 401 — Unauthenticated: Failed to check authorization. User identity is empty in the request header: .*Review.Status.Authenticated is false.*Check: authentication: the kfp-token/,
    );
    const none = await harness(version, { auth: { identities: structuredClone(identities) as never } });
    await expect(none.client.listExperiments('team-1')).rejects.toThrow(/HTTP 401 .*there is no user identity header/);
    expect((await none.client.healthz()).multiUser).toBe(true);
  });
});

test('single-user KFP checks no identity (resource_manager.go IsAuthorized returns early)', async () => {
  const h = await harness(
    'v2beta1',
    { multiUser: false, auth: { identities: structuredClone(identities) as never } },
    { token: 'tok-unknown' },
  );
  expect((await h.client.createExperiment({ name: 'e', namespace: '' })).name).toBe('e');
});

describe('--auth FILE', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-auth-'));
    fs.writeFileSync(path.join(dir, 'auth.yaml'), text);
    return path.join(dir, 'auth.yaml');
  };

  test('tokens with a user and a role per namespace', () => {
    expect(
      loadAuthFile(
        write('tokens:\n  tok-alice: {user: alice@example.com, namespaces: {team-1: edit, team-2: view}}\n'),
      ),
    ).toEqual(identities);
  });

  test('a bad role or a missing user is located and never shows the token', () => {
    const file = write('tokens:\n  s3cr3t-token:\n    user: bob\n    namespaces: {team-1: admin}\n');
    expect(() => loadAuthFile(file)).toThrow(
      /auth.yaml:4:\d+: Role 'admin' of user 'bob' in namespace 'team-1' is not view or edit/,
    );
    const noUser = write('tokens:\n  s3cr3t-token: {namespaces: {team-1: edit}}\n');
    const err = (() => {
      try {
        loadAuthFile(noUser);
      } catch (e) {
        return String(e);
      }
    })();
    expect(err).toMatch(/Token number 1 has no `user`/);
    expect(err).not.toMatch(/s3cr3t/);
  });
});
