// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS, checkFeatureGates, loadAdapter, parseEnable, type ControllerAdapter } from './adapters.ts';

describe('parseEnable', () => {
  it('keeps start order and accepts component names', () => {
    assert.deepEqual(parseEnable('helm, source-controller,kustomize').map((a) => a.name), ['source', 'kustomize', 'helm']);
    assert.throws(() => parseEnable('source,notification'), /unknown controller\(s\) notification/);
  });
});

describe('loadAdapter', () => {
  const fake = (pkg: string, requires: string[]): ControllerAdapter => ({ name: 'x', component: 'x', pkg, requires, configure: () => Promise.resolve({ stop: () => Promise.resolve() }) });

  it('names the exports a package lacks', async () => {
    const l = await loadAdapter(fake('@eddy/api', ['allCrds', 'setupNothing']));
    assert.ok('missing' in l);
    assert.equal(l.missing, '@eddy/api does not export setupNothing yet');
  });

  it('says when a package cannot be loaded', async () => {
    const l = await loadAdapter(fake('@eddy/no-such-package', ['x']));
    assert.ok('missing' in l && l.missing.startsWith('@eddy/no-such-package cannot be loaded'));
  });

  it('loads every controller package, or names exactly what it lacks', async () => {
    for (const a of ADAPTERS) {
      const l = await loadAdapter(a);
      if ('mod' in l) for (const r of a.requires) assert.notEqual(l.mod[r], undefined, `${a.pkg} ${r}`);
      else assert.match(l.missing, /does not export .* yet|cannot be loaded/);
    }
  });
});

describe('checkFeatureGates', () => {
  const loadedOf = async (names: string): Promise<Array<{ adapter: ControllerAdapter; mod: Record<string, unknown> }>> => {
    const all = await Promise.all(parseEnable(names).map(loadAdapter));
    return all.flatMap((l) => ('mod' in l ? [l] : []));
  };

  it('accepts a gate any enabled controller supports, and none at all', async () => {
    const loaded = await loadedOf('source,kustomize,helm');
    assert.doesNotThrow(() => checkFeatureGates(loaded, []));
    assert.doesNotThrow(() => checkFeatureGates(loaded, ['AdditiveCELDependencyCheck=true', 'StrictPostBuildSubstitutions=true']));
  });

  it('refuses a gate no enabled controller supports, or a value that is not a boolean', async () => {
    assert.throws(() => checkFeatureGates([], ['Nope=true']), /feature-gate 'Nope' not supported/);
    const helmOnly = await loadedOf('helm');
    assert.throws(() => checkFeatureGates(helmOnly, ['StrictPostBuildSubstitutions=true']), /StrictPostBuildSubstitutions/);
    assert.throws(() => checkFeatureGates(helmOnly, ['AdditiveCELDependencyCheck=maybe']), /AdditiveCELDependencyCheck/);
  });
});
