// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toolPath } from '@eddy/testenv';
import { kustomizeBuild } from '../build/kustomize.ts';
import { parseBuildOutput, parseManifest, type KubeObject } from '../build/manifests.ts';
import { SopsTools, type AgeKey } from '../testing/sops.ts';
import { SopsDecryptor, isEncryptedSecret } from './decryptor.ts';
import { DecryptionError } from './errors.ts';
import { KeyRing } from './keys.ts';

let tools: SopsTools;
let age: AgeKey;
let dec: SopsDecryptor;
const roots: string[] = [];
before(() => {
  tools = new SopsTools();
  age = tools.ageKey();
  const keys = new KeyRing();
  keys.importAge(age.file);
  dec = new SopsDecryptor(keys);
});
after(() => {
  tools.cleanup();
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'decryptor-test-'));
  roots.push(root);
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), body);
  }
  return root;
}

const SECRET = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\nstringData:\n  password: hunter2\ndata:\n  token: dG9rZW4=\n';

describe('SopsDecryptor.decryptResource', () => {
  it('decrypts a whole sops-encrypted Secret', async () => {
    const enc = tools.encrypt(SECRET, 'yaml', ['--age', age.recipient, '--encrypted-regex', '^(data|stringData)$']);
    const obj = parseManifest(enc.toString());
    assert.ok(isEncryptedSecret(obj));
    const out = await dec.decryptResource(obj);
    assert.ok(out);
    assert.equal('sops' in out, false);
    assert.deepEqual((out as { stringData: unknown }).stringData, { password: 'hunter2' });
    assert.deepEqual((out as { data: unknown }).data, { token: 'dG9rZW4=' });
    assert.equal(isEncryptedSecret(out), false);
  });

  it('decrypts encrypted Secret data entries into the format their key names', async () => {
    const env = tools.encrypt('USER=admin\nPASS=x\n', 'dotenv', ['--age', age.recipient]);
    const json = tools.encrypt('{"auths": {"r.example.com": {"auth": "dTpw"}}}', 'json', ['--age', age.recipient]);
    const bin = tools.encrypt('raw-token', 'binary', ['--age', age.recipient]);
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'gen', namespace: 'apps' },
      data: {
        'app.env': env.toString('base64'),
        '.dockerconfigjson': json.toString('base64'),
        token: bin.toString('base64'),
        plain: Buffer.from('not encrypted').toString('base64'),
        'broken-b64': '%%%',
      },
    };
    const out = (await dec.decryptResource(obj)) as { data: Record<string, string> };
    const text = (k: string): string => Buffer.from(out.data[k]!, 'base64').toString();
    assert.equal(text('app.env'), 'USER=admin\nPASS=x\n');
    assert.equal(text('.dockerconfigjson'), '{\n\t"auths": {\n\t\t"r.example.com": {\n\t\t\t"auth": "dTpw"\n\t\t}\n\t}\n}\n');
    assert.equal(text('token'), 'raw-token');
    assert.equal(text('plain'), 'not encrypted');
    assert.equal(out.data['broken-b64'], '%%%');
  });

  it('leaves resources with decrypt: disabled and plain resources alone', async () => {
    const enc = tools.encrypt(SECRET.replace('  name: db\n', '  name: db\n  annotations:\n    kustomize.toolkit.fluxcd.io/decrypt: Disabled\n'), 'yaml', [
      '--age',
      age.recipient,
      '--encrypted-regex',
      '^(data|stringData)$',
    ]);
    assert.equal(await dec.decryptResource(parseManifest(enc.toString())), undefined);
    assert.equal(await dec.decryptResource(parseManifest(SECRET)), undefined);
  });

  it('names the resource and field in errors', async () => {
    const other = tools.ageKey();
    const enc = tools.encrypt('A=1\n', 'dotenv', ['--age', other.recipient]);
    const obj: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gen', namespace: 'apps' }, data: { 'a.env': enc.toString('base64') } };
    await assert.rejects(dec.decryptResource(obj), (err: unknown) => {
      assert.ok(DecryptionError.is(err));
      assert.match(err.message, /^failed to decrypt and format 'apps\/gen' Secret field 'a\.env': cannot get sops data key/);
      return true;
    });
  });
});

describe('SopsDecryptor.decryptSources', () => {
  it('decrypts generator sources and patches in place, then kustomize builds plain Secrets', async () => {
    const files = {
      'app/kustomization.yaml': [
        'resources: [../base]',
        'secretGenerator:',
        '- name: env',
        '  envs: [secret.env]',
        '- name: files',
        '  files: [config.yaml=config.enc.yaml, token=token.enc]',
        'generatorOptions:',
        '  disableNameSuffixHash: true',
        'patches:',
        '- path: patch.yaml',
        '',
      ].join('\n'),
      'app/secret.env': tools.encrypt('DB_PASS=s3cret\n', 'dotenv', ['--age', age.recipient]),
      'app/config.enc.yaml': tools.encrypt('db:\n  password: s3cret\n', 'yaml', ['--age', age.recipient]),
      'app/token.enc': tools.encrypt('tok', 'binary', ['--age', age.recipient]),
      'app/patch.yaml': tools.encrypt('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\ndata:\n  patched: "yes"\n', 'yaml', ['--age', age.recipient, '--encrypted-regex', '^data$']),
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\ndata:\n  a: b\n',
    };
    const root = tree(files);
    await dec.decryptSources(root, join(root, 'app'));
    assert.equal(readFileSync(join(root, 'app/secret.env'), 'utf8'), 'DB_PASS=s3cret\n');
    assert.equal(readFileSync(join(root, 'app/config.enc.yaml'), 'utf8'), 'db:\n    password: s3cret\n');
    const out = parseBuildOutput(await kustomizeBuild(root, join(root, 'app'), { kustomizePath: toolPath('kustomize') }));
    const byName = Object.fromEntries(out.map((m) => [(m.object.metadata as { name: string }).name, m.object as Record<string, Record<string, string>>]));
    assert.equal(Buffer.from(byName.env!.data!.DB_PASS!, 'base64').toString(), 's3cret');
    assert.equal(Buffer.from(byName.files!.data!['config.yaml']!, 'base64').toString(), 'db:\n    password: s3cret\n');
    assert.equal(Buffer.from(byName.files!.data!.token!, 'base64').toString(), 'tok');
    assert.deepEqual(byName.base!.data, { a: 'b', patched: 'yes' });
  });

  it('never touches files outside the root and refuses irregular files', async () => {
    const outside = tree({ 'x.env': tools.encrypt('A=1\n', 'dotenv', ['--age', age.recipient]) });
    const root = tree({ 'kustomization.yaml': `secretGenerator:\n- name: s\n  envs: [../../..${outside}/x.env]\n` });
    await dec.decryptSources(root, root);
    assert.match(readFileSync(join(outside, 'x.env'), 'utf8'), /sops_mac=ENC/, 'the outside file is still encrypted');
    const linked = tree({ 'kustomization.yaml': 'secretGenerator:\n- name: s\n  envs: [link.env]\n' });
    symlinkSync(join(outside, 'x.env'), join(linked, 'link.env'));
    await assert.rejects(dec.decryptSources(linked, linked), /irregular file/);
  });
});
