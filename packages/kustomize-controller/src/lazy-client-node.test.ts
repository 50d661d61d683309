// SPDX-License-Identifier: Apache-2.0
/**
 * The controller must not load `@kubernetes/client-node` (~80 MiB of heap) in its common path:
 * a module hook makes every import of it fail, and the package index, the entry point and an
 * impersonating client built through the runtime's kubeconfig loader must load all the same.
 */
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { before, describe, it } from 'node:test';

/** Loaded only by `@eddy/runtime`, on demand; not a dependency of this package. */
const CLIENT_NODE = '@kubernetes/client-node';

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === '${CLIENT_NODE}' || specifier.startsWith('${CLIENT_NODE}/')) {
    throw new Error('client-node blocked by test');
  }
  return next(specifier, context);
}`;

describe('kustomize-controller without client-node', () => {
  before(async () => {
    register(`data:text/javascript,${encodeURIComponent(hook)}`);
    await assert.rejects(import(CLIENT_NODE), /blocked by test/);
  });

  it('loads the package index and the entry point', async () => {
    const index = await import('./index.ts');
    assert.equal(typeof index.setupKustomizeController, 'function');
    const main = await import('./main.ts');
    assert.equal(main.kustomizeControllerFlags.kustomizePath.name, 'kustomize-path');
  });

  it('builds impersonating clients from the runtime kubeconfig', async () => {
    const { DynamicClient, LoadedKubeconfig } = await import('@eddy/runtime/client');
    const { Impersonator } = await import('./controllers/impersonation.ts');
    const base = new DynamicClient({
      kubeconfig: new LoadedKubeconfig({
        clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: false }],
        users: [{ name: 'admin', token: 't' }],
        contexts: [{ name: 'ctx', cluster: 'c', user: 'admin' }],
        currentContext: 'ctx',
      }),
    });
    const imp = new Impersonator(base);
    try {
      const ks = { metadata: { name: 'app', namespace: 'apps' }, spec: { serviceAccountName: 'tenant' } } as never;
      const client = await imp.clientFor(ks);
      assert.ok(client instanceof DynamicClient);
      assert.notEqual(client, base);
      assert.equal(client.config.getCurrentUser()?.impersonateUser, 'system:serviceaccount:apps:tenant');
      assert.equal(await imp.clientFor(ks), client, 'cached per account');
    } finally {
      imp.close();
      base.close();
    }
  });
});
