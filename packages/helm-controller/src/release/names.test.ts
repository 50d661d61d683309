// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { shortenName, versionWithDigest } from './names.ts';

describe('shortenName', () => {
  it('keeps names up to 53 characters', () => assert.equal(shortenName('podinfo'), 'podinfo'));
  // Flux's code (name[:40] + '-' + 12 hex); the docs' example shows 42 characters, which the code never produces.
  it('shortens like Flux', () => {
    assert.equal(
      shortenName('a-very-lengthy-target-namespace-with-a-nice-object-name'),
      'a-very-lengthy-target-namespace-with-a-n-97af5d7f41f3',
    );
  });
});

describe('versionWithDigest', () => {
  it('appends the first 12 digest characters as build metadata', () => {
    assert.equal(versionWithDigest('6.5.3', 'sha256:0cc9a8446c95009ef382f5eade883a67c257f77d50f84e78ecef2aac9428d1e5'), '6.5.3+0cc9a8446c95');
  });
});
