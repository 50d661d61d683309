// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy delete` against a real apiserver returns once the deletion is accepted, as `flux delete`
 * does: it does not wait (up to `--timeout`) for finalizers to release the object. With no
 * controller running here, the object stays, terminating, behind its finalizer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamicClient } from '@eddy/runtime/client';
import { randomNamespaceName, useControlPlane } from '@eddy/testenv';
import { run } from '../program.ts';

const SOURCE_V1 = 'source.toolkit.fluxcd.io/v1';

describe('eddy delete against the apiserver', () => {
  let client: DynamicClient;
  let kubeconfig = '';
  const namespace = randomNamespaceName('cli-delete');

  before(async () => {
    const cp = await useControlPlane();
    kubeconfig = cp.kubeconfigPath;
    client = new DynamicClient({ kubeconfig });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  });
  after(async () => {
    const ref = { apiVersion: SOURCE_V1, kind: 'GitRepository', name: 'held', namespace };
    await client.patch(ref, { metadata: { finalizers: null } }, { type: 'merge' }).catch(() => undefined);
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => false);
    client.transport.close();
  });

  it('returns after the apiserver accepts the deletion, leaving finalization to the controller', async () => {
    await client.create({
      apiVersion: SOURCE_V1,
      kind: 'GitRepository',
      metadata: { name: 'held', namespace, finalizers: ['finalizers.fluxcd.io'] },
      spec: { interval: '10m', url: 'https://example.invalid/repo.git' },
    } as never);
    const out: string[] = [];
    const err: string[] = [];
    const started = Date.now();
    const code = await run(['--kubeconfig', kubeconfig, '-n', namespace, 'delete', 'source', 'git', 'held', '--silent', '--timeout', '1m'], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    assert.equal(code, 0, err.join('\n'));
    assert.deepEqual(out, [`► deleting gitrepository held in ${namespace} namespace`, '✔ gitrepository deleted']);
    assert.ok(Date.now() - started < 30_000, 'did not wait out the timeout for the finalizer');
    const held = await client.get({ apiVersion: SOURCE_V1, kind: 'GitRepository', name: 'held', namespace });
    assert.ok(held?.metadata.deletionTimestamp, 'the object is terminating, held by its finalizer');
  });

  it('fails with one line for an object that does not exist', async () => {
    const err: string[] = [];
    const code = await run(['--kubeconfig', kubeconfig, '-n', namespace, 'delete', 'ks', 'nope', '--silent'], { out: () => undefined, err: (t) => err.push(t) });
    assert.equal(code, 1);
    assert.deepEqual(err, [`✗ Kustomization object 'nope' not found in '${namespace}' namespace`]);
  });
});
