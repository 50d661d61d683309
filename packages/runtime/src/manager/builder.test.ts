// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { KubeObject } from '../client/types.ts';
import { createLogger } from '../log/logger.ts';
import { RECONCILE_REQUEST_ANNOTATION, generationChanged, or, reconcileRequested } from '../predicates/predicates.ts';
import type { Request } from '../reconcile/contract.ts';
import { enqueueHandler, rateLimiterFor, requestForObject, requestForOwner } from './builder.ts';
import { ExponentialFailureRateLimiter } from '../queue/rate-limiter.ts';

const quiet = createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) });
const repo = (meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'podinfo', namespace: 'flux-system', generation: 1, ...meta },
});

describe('watch handlers', () => {
  it('enqueues the object itself for `for`, filtered by predicates; creates and deletes always pass', () => {
    const got: Request[] = [];
    const h = enqueueHandler((r) => got.push(r), requestForObject, [or(generationChanged(), reconcileRequested())], quiet);
    h.onAdd!(repo(), true);
    h.onUpdate!(repo({ resourceVersion: '1' }), repo({ resourceVersion: '2' }));
    h.onUpdate!(repo(), repo({ generation: 2 }));
    h.onUpdate!(repo(), repo({ annotations: { [RECONCILE_REQUEST_ANNOTATION]: 'now' } }));
    h.onDelete!(repo());
    assert.equal(got.length, 4, 'the status-only update was filtered');
    assert.deepEqual(got[0], { namespace: 'flux-system', name: 'podinfo' });
  });

  it('maps an owned object to its controller owner of the right kind and group', () => {
    const toOwner = requestForOwner({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' });
    const owned = (refs: NonNullable<KubeObject['metadata']['ownerReferences']>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'flux-system', ownerReferences: refs },
    });
    const ref = { apiVersion: 'source.toolkit.fluxcd.io/v1beta2', kind: 'GitRepository', name: 'podinfo', uid: 'u', controller: true };
    assert.deepEqual(toOwner(owned([ref])), [{ namespace: 'flux-system', name: 'podinfo' }]);
    assert.deepEqual(toOwner(owned([{ ...ref, controller: false }])), [], 'only the controller owner');
    assert.deepEqual(toOwner(owned([{ ...ref, apiVersion: 'other.io/v1' }])), [], 'same group only');
    assert.deepEqual(toOwner(owned([{ ...ref, kind: 'Bucket' }])), []);
  });

  it('enqueues old and new mappings of an update, and async map results', async () => {
    const got: string[] = [];
    const h = enqueueHandler((r) => got.push(r.name), (o) => Promise.resolve([{ namespace: 'ns', name: `for-${o.metadata.name}` }]), [], quiet);
    h.onUpdate!(repo({ name: 'old' }), repo({ name: 'new' }));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got.sort(), ['for-new', 'for-old']);
  });

  it('survives a map function that throws or rejects', async () => {
    const h = enqueueHandler(() => assert.fail('nothing to enqueue'), () => {
      throw new Error('bad map');
    }, [], quiet);
    assert.doesNotThrow(() => h.onAdd!(repo(), false));
    const h2 = enqueueHandler(() => assert.fail('nothing to enqueue'), () => Promise.reject(new Error('bad map')), [], quiet);
    h2.onAdd!(repo(), false);
    await new Promise((r) => setImmediate(r));
  });
});

describe('rateLimiterFor', () => {
  it('backs off per object from the manager\'s retry delays, as Flux does (750 ms doubling to 15 m)', () => {
    const l = rateLimiterFor(undefined, { minMs: 750, maxMs: 900_000 })!.rateLimiter;
    assert.deepEqual([1, 2, 3, 4].map(() => l.when('ns/a')), [750, 1500, 3000, 6000]);
    assert.equal(l.when('ns/b'), 750, 'per object');
    for (let i = 0; i < 20; i++) l.when('ns/a');
    assert.equal(l.when('ns/a'), 900_000, 'capped');
    l.forget('ns/a');
    assert.equal(l.when('ns/a'), 750);
  });

  it('prefers the builder\'s own limiter and leaves the controller default without retry delays', () => {
    const own = new ExponentialFailureRateLimiter<string>({ baseDelayMs: 1 });
    assert.equal(rateLimiterFor(own, { minMs: 750, maxMs: 900_000 })!.rateLimiter, own);
    assert.equal(rateLimiterFor(undefined, undefined), undefined);
  });
});
