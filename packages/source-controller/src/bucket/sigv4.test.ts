// SPDX-License-Identifier: Apache-2.0
/** SigV4 against the worked examples of the AWS S3 documentation ("Signature Calculations for the Authorization Header"). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_SHA256, encodePath, signRequest } from './sigv4.ts';

const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const now = new Date('2013-05-24T00:00:00Z');
const sig = (authz: string): string => /Signature=([0-9a-f]{64})$/.exec(authz)![1]!;

describe('signRequest', () => {
  it('signs the GET Object example (with a Range header)', () => {
    const h = signRequest({ method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/test.txt', headers: { range: 'bytes=0-9' } }, creds, 'us-east-1', now);
    assert.equal(h['x-amz-date'], '20130524T000000Z');
    assert.equal(h['x-amz-content-sha256'], EMPTY_SHA256);
    assert.match(h.authorization!, /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20130524\/us-east-1\/s3\/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, /);
    assert.equal(sig(h.authorization!), 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  it('signs the GET Bucket (list objects) example with a sorted query', () => {
    const h = signRequest({ method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J', headers: {} }, creds, 'us-east-1', now);
    assert.equal(sig(h.authorization!), '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });

  it('signs the GET Bucket lifecycle example (a query key without value)', () => {
    const h = signRequest({ method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/?lifecycle', headers: {} }, creds, 'us-east-1', now);
    assert.equal(sig(h.authorization!), 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
  });

  it('encodes object paths per segment', () => {
    assert.equal(encodePath('/bucket/a b/c+d/é.yaml'), '/bucket/a%20b/c%2Bd/%C3%A9.yaml');
  });
});
