// SPDX-License-Identifier: Apache-2.0
/**
 * SerialPatcher against a real apiserver: a tiny CRD with a status subresource and the real
 * `metav1.Condition` schema (so the apiserver validates the conditions we write).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { randomNamespaceName, useControlPlane } from '@eddy/testenv';
import { DynamicClient } from '../client/dynamic-client.ts';
import type { Clock } from '../clock/index.ts';
import type { KubeClient, KubeObject, ObjectRef, PatchOptions as ClientPatchOptions } from '../client/types.ts';
import * as conditions from '../conditions/index.ts';
import type { ObjectWithConditions } from '../conditions/types.ts';
import { assertConformant } from '../conformance/index.ts';
import { addFinalizer, FLUX_FINALIZER, removeFinalizer } from '../finalizers/index.ts';
import { alwaysRequeueResultBuilder, summarizeAndPatch, type ConditionsSpec } from '../summarize/index.ts';
import { SerialPatcher } from './serial-patcher.ts';

type Widget = KubeObject & ObjectWithConditions;
const group = `p${randomBytes(4).toString('hex')}.eddy.test`;
const apiVersion = `${group}/v1`;
const FIELD_OWNER = 'gotk-test-controller';

const conditionSchema = {
  type: 'object',
  required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
  properties: {
    lastTransitionTime: { type: 'string', format: 'date-time' },
    message: { type: 'string', maxLength: 32768 },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
    reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    type: { type: 'string', maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' },
  },
};

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              status: {
                type: 'object',
                default: { observedGeneration: -1 },
                properties: {
                  observedGeneration: { type: 'integer', format: 'int64' },
                  lastHandledReconcileAt: { type: 'string' },
                  artifact: { type: 'string' },
                  conditions: { type: 'array', items: conditionSchema },
                },
              },
            },
          },
        },
      },
    ],
  },
};

const readyConditions: ConditionsSpec = {
  target: 'Ready',
  owned: ['Ready', 'Reconciling', 'Stalled', 'ArtifactInStorage', 'FetchFailed'],
  summarize: ['Stalled', 'FetchFailed', 'ArtifactInStorage', 'Reconciling'],
  negativePolarity: ['Stalled', 'FetchFailed', 'Reconciling'],
};

/**
 * A wall clock whose timers keep the process alive: the runtime's clock unrefs its timers (a
 * controller always has other live handles), but a test file has nothing else holding the loop
 * while the patcher backs off between conflicts.
 */
const testClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('SerialPatcher against a real apiserver', () => {
  let client: DynamicClient;
  const ns = randomNamespaceName('patcher');
  const ref = (name: string): ObjectRef => ({ apiVersion, kind: 'Widget', namespace: ns, name });
  const create = (name: string): Promise<Widget> =>
    client.create<Widget>({ apiVersion, kind: 'Widget', metadata: { name, namespace: ns }, spec: { interval: '1m' } });

  before(async () => {
    const cp = await useControlPlane();
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await client.create(crd);
    await waitFor(async () => ((await client.resourceFor(apiVersion, 'Widget')) ? true : undefined), 'the Widget CRD to be served');
  });
  after(async () => {
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    await client.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crd.metadata.name });
    client.close();
  });

  it('patches finalizers, conditions and status in one call, with the field owner', async () => {
    const obj = await create('basic');
    assert.equal(obj.status?.observedGeneration, -1, 'the CRD status default applies');
    const patcher = new SerialPatcher(obj, client, { fieldOwner: FIELD_OWNER, clock: testClock });
    addFinalizer(obj);
    conditions.markReconciling(obj, 'Progressing', 'building artifact');
    conditions.markUnknown(obj, 'Ready', 'Progressing', 'building artifact');
    obj.status!['artifact'] = 'sha256:abc';
    await patcher.patch(obj, { ownedConditions: readyConditions.owned });

    const got = (await client.get<Widget>(ref('basic')))!;
    assert.deepEqual(got.metadata.finalizers, [FLUX_FINALIZER]);
    assert.equal(got.metadata.generation, 1, 'metadata changes do not bump the generation');
    assert.equal(got.status?.['artifact'], 'sha256:abc');
    assert.deepEqual(conditions.list(got), conditions.list(obj), 'conditions round-trip exactly (format accepted by the schema)');
    const managers = (got.metadata.managedFields as Array<{ manager: string; subresource?: string }>).filter((m) => m.manager === FIELD_OWNER);
    assert.deepEqual(managers.map((m) => m.subresource ?? 'main').sort(), ['main', 'status']);
  });

  it('re-reads and retries the conditions patch after a real 409', async () => {
    const obj = await create('conflict');
    const racing = racingClient(client, ref('conflict'));
    const patcher = new SerialPatcher(obj, racing.client, { fieldOwner: FIELD_OWNER, clock: testClock });
    conditions.markFalse(obj, 'Ready', 'BuildFailed', 'boom');
    await patcher.patch(obj, { ownedConditions: ['Ready'] });
    assert.deepEqual(racing.statusPatches, ['Conflict', 'ok'], 'the first attempt met a real 409');
    const got = (await client.get<Widget>(ref('conflict')))!;
    assert.equal(conditions.getReason(got, 'Ready'), 'BuildFailed');
    assert.equal(conditions.getReason(got, 'Foreign'), 'Racer', 'the racing writer’s condition survives');
  });

  it('sets observedGeneration after a spec change when asked', async () => {
    const obj = await create('generation');
    const stale = structuredClone(obj);
    await client.patch(ref('generation'), { spec: { interval: '5m' } }, { type: 'merge' });
    const fresh = (await client.get<Widget>(ref('generation')))!;
    assert.equal(fresh.metadata.generation, 2);
    const patcher = new SerialPatcher(fresh, client, { fieldOwner: FIELD_OWNER, clock: testClock });
    conditions.markTrue(fresh, 'Ready', 'Succeeded', 'ok');
    await patcher.patch(fresh, { ownedConditions: ['Ready'], includeStatusObservedGeneration: true });
    const got = (await client.get<Widget>(ref('generation')))!;
    assert.equal(got.status?.observedGeneration, 2);
    assert.equal(conditions.getObservedGeneration(got, 'Ready'), 2);
    assert.equal(stale.metadata.generation, 1);
    assertConformant(got, { negativePolarity: readyConditions.negativePolarity });
  });

  it('summarizes and patches a conformant status', async () => {
    const obj = await create('summary');
    const patcher = new SerialPatcher(obj, client, { fieldOwner: FIELD_OWNER, clock: testClock });
    conditions.markReconciling(obj, 'Progressing', 'fetching');
    conditions.markTrue(obj, 'ArtifactInStorage', 'Succeeded', 'stored');
    const out = await summarizeAndPatch(patcher, obj, readyConditions, { result: 'success', resultBuilder: alwaysRequeueResultBuilder(60_000) });
    assert.deepEqual(out, { result: { requeueAfterMs: 60_000 }, error: undefined });
    const got = (await client.get<Widget>(ref('summary')))!;
    assert.deepEqual(conditions.list(got).map((c) => `${c.type}=${c.status}`), ['Ready=True', 'ArtifactInStorage=True']);
    assertConformant(got, { negativePolarity: readyConditions.negativePolarity });
  });

  it('ignores NotFound when removing the last finalizer of a deleted object', async () => {
    const obj = await create('deleting');
    const first = new SerialPatcher(obj, client, { clock: testClock });
    addFinalizer(obj);
    await first.patch(obj);
    await client.delete(ref('deleting'));
    const deleting = (await client.get<Widget>(ref('deleting')))!;
    assert.ok(deleting.metadata.deletionTimestamp);
    const patcher = new SerialPatcher(deleting, client, { fieldOwner: FIELD_OWNER, clock: testClock });
    removeFinalizer(deleting);
    deleting.status!['artifact'] = 'gone';
    await patcher.patch(deleting);
    assert.equal(await client.get(ref('deleting')), undefined);
  });
});

/** A client whose first status patch is preceded by another writer's status change (a real conflict). */
function racingClient(inner: DynamicClient, target: ObjectRef): { client: KubeClient; statusPatches: string[] } {
  const statusPatches: string[] = [];
  const client = new Proxy(inner, {
    get(t, prop, receiver) {
      if (prop !== 'patch') return Reflect.get(t, prop, receiver) as unknown;
      return async (r: ObjectRef, body: unknown, opts: ClientPatchOptions) => {
        if (opts.subresource !== 'status') return inner.patch(r, body, opts);
        if (statusPatches.length === 0) {
          const latest = (await inner.get<Widget>(target))!;
          conditions.markTrue(latest, 'Foreign', 'Racer', 'another controller');
          await inner.patch(target, { status: { conditions: latest.status?.conditions } }, { type: 'merge', subresource: 'status' });
        }
        try {
          const out = await inner.patch(r, body, opts);
          statusPatches.push('ok');
          return out;
        } catch (err) {
          statusPatches.push((err as { reason?: string }).reason ?? String(err));
          throw err;
        }
      };
    },
  });
  return { client, statusPatches };
}
