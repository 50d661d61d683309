// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTree } from './tree.ts';

describe('renderTree', () => {
  it('draws nested branches like flux tree', () => {
    const out = renderTree({
      label: 'Kustomization/flux-system/apps',
      children: [
        { label: 'Namespace/podinfo', children: [] },
        {
          label: 'HelmRelease/podinfo/podinfo',
          children: [
            { label: 'Service/podinfo/podinfo', children: [] },
            { label: 'Deployment/podinfo/podinfo', children: [] },
          ],
        },
        { label: 'ConfigMap/podinfo/extra', children: [] },
      ],
    });
    assert.equal(
      out,
      [
        'Kustomization/flux-system/apps',
        '├── Namespace/podinfo',
        '├── HelmRelease/podinfo/podinfo',
        '│   ├── Service/podinfo/podinfo',
        '│   └── Deployment/podinfo/podinfo',
        '└── ConfigMap/podinfo/extra',
      ].join('\n'),
    );
  });
});
