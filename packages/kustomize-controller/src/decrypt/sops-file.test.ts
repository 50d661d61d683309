// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SopsTools, type AgeKey } from '../testing/sops.ts';
import { DecryptionError } from './errors.ts';
import { KeyRing } from './keys.ts';
import { decryptWithFormat, detectFormat, formatForPath, type SopsFormat } from './sops-file.ts';

let tools: SopsTools;
let age: AgeKey;
let keys: KeyRing;
before(() => {
  tools = new SopsTools();
  age = tools.ageKey();
  keys = new KeyRing();
  keys.importAge(age.file);
});
after(() => tools.cleanup());

const ageEnv = (): Record<string, string> => ({ SOPS_AGE_KEY: age.identity });

const COMPLEX_YAML = `# leading comment
apiVersion: v1
kind: Secret
metadata:
  name: app # line comment
  namespace: default
  labels: {app: web}
stringData:
  # head comment
  password: hunter2
  port: 8080
  ratio: 0.25
  big: 1000000.0
  octal: 0755
  hex: 0x1F
  enabled: true
  answer: "yes"
  unquoted_yes: yes
  when: 2024-05-01
  stamp: 2024-05-01T10:20:30.5+02:00
  empty: ""
  nothing: null
  tilde: ~
  multi: |
    line one
      indented
    line three
  keep: |+
    kept

  folded: >
    folded text
    joined
  quoted: 'it''s "quoted"'
  colon: "a: b"
  hash: "a #b"
  lead: " lead"
  unicode: "héllo ✓"
  tab: "a\\tb"
  list:
  - one
  - 2
  - k: v
    k2: v2
  - - nested
    - pair
  - |
    literal in list
  anchors:
    base: &base
      x: 1
    copy: *base
# trailing comment
`;

const cases: Array<{ name: string; input: string; type: SopsFormat; out?: SopsFormat; args?: string[] }> = [
  {
    name: 'a Flux-style Secret (encrypted_regex on data/stringData)',
    input: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\ntype: Opaque\nstringData:\n  username: admin\n  password: "s3cr3t: !"\ndata:\n  token: dG9rZW4=\n',
    type: 'yaml',
    args: ['--encrypted-regex', '^(data|stringData)$'],
  },
  { name: 'YAML with every scalar type, comments, lists and anchors', input: COMPLEX_YAML, type: 'yaml' },
  { name: 'multi-document YAML', input: 'a: 1\nb: two\n---\n# second\nc:\n  - 3\n', type: 'yaml' },
  {
    name: 'JSON with nesting, numbers and HTML characters',
    input: '{"b": {"c": [1, 2.5, true, null, "<&>"]}, "a": "x", "1": "numeric key first?", "e": {}, "f": [], "big": 12345678901234567890, "exp": 1e-7}',
    type: 'json',
  },
  { name: 'dotenv with comments and escaped newlines', input: '# config\nUSER=admin\nPASS=p@ss=word\nMULTI=line1\\nline2\n#trailing\n', type: 'dotenv' },
  { name: 'binary data', input: 'raw bytes\n\twith "quotes" and ünïcödé\n', type: 'binary' },
  { name: 'INI sections', input: '[database]\nuser = admin\npassword = secret\n\n[cache]\nhost = redis\n', type: 'ini' },
  { name: 'dotenv emitted as YAML (Secret field named .yaml)', input: 'A=1\nB=two\n', type: 'dotenv', out: 'yaml' },
  { name: 'YAML emitted as JSON', input: 'a: 1\nb: [x, y]\n', type: 'yaml', out: 'json' },
];

describe('decryptWithFormat (files encrypted by the real sops)', () => {
  for (const tc of cases) {
    it(`decrypts ${tc.name} exactly like sops decrypt`, async () => {
      const enc = tools.encrypt(tc.input, tc.type, ['--age', age.recipient, ...(tc.args ?? [])]);
      const out = tc.out ?? tc.type;
      const want = tools.decrypt(enc, tc.type, out, ageEnv());
      const got = await decryptWithFormat(enc, tc.type, out, keys);
      assert.equal(Buffer.from(got).toString('utf8'), want.toString('utf8'));
    });
  }

  it('decrypts files with mac_only_encrypted and an unencrypted suffix', async () => {
    tools.writeConfig(`creation_rules:\n  - age: ${age.recipient}\n    mac_only_encrypted: true\n`);
    try {
      const enc = tools.encrypt('secret: x\npublic_unencrypted: y\nn: 4\n', 'yaml', []);
      assert.match(enc.toString(), /mac_only_encrypted: true/);
      const got = await decryptWithFormat(enc, 'yaml', 'yaml', keys);
      assert.equal(Buffer.from(got).toString(), tools.decrypt(enc, 'yaml', 'yaml', ageEnv()).toString());
    } finally {
      tools.removeConfig();
    }
  });

  it('decrypts PGP-encrypted files with an armored private key', { skip: !SopsTools.hasGpg() && 'gpg not installed' }, async () => {
    const pgp = tools.pgpKey();
    const enc = tools.encrypt('user: admin\npass: pgp-secret\n', 'yaml', ['--pgp', pgp.fingerprint]);
    const ring = new KeyRing();
    await ring.importPgp(pgp.armored);
    const got = await decryptWithFormat(enc, 'yaml', 'yaml', ring);
    assert.equal(Buffer.from(got).toString(), 'user: admin\npass: pgp-secret\n');
  });

  it('tries age before PGP and skips keys it cannot use', async () => {
    const other = tools.ageKey();
    const enc = tools.encrypt('k: v\n', 'yaml', ['--age', `${other.recipient},${age.recipient}`]);
    assert.equal(Buffer.from(await decryptWithFormat(enc, 'yaml', 'yaml', keys)).toString(), 'k: v\n');
  });

  it('recovers a data key split across key groups with Shamir', async () => {
    const [a, b, c] = [tools.ageKey(), tools.ageKey(), tools.ageKey()];
    tools.writeConfig(`creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - age: [${a.recipient}]\n      - age: [${b.recipient}]\n      - age: [${c.recipient}]\n`);
    const enc = tools.encrypt('shared: secret\n', 'yaml', []);
    assert.match(enc.toString(), /shamir_threshold: 2/);
    const ring = new KeyRing();
    ring.importAge(`${a.file}\n${c.file}`);
    assert.equal(Buffer.from(await decryptWithFormat(enc, 'yaml', 'yaml', ring)).toString(), 'shared: secret\n');
    const one = new KeyRing();
    one.importAge(b.file);
    await assert.rejects(decryptWithFormat(enc, 'yaml', 'yaml', one), (err: unknown) => DecryptionError.is(err) && err.code === 'NoDataKey');
    tools.removeConfig();
  });

  it('fails with a clear error when no key matches', async () => {
    const enc = tools.encrypt('k: v\n', 'yaml', ['--age', tools.ageKey().recipient]);
    await assert.rejects(decryptWithFormat(enc, 'yaml', 'yaml', keys), (err: unknown) => {
      assert.ok(DecryptionError.is(err));
      assert.equal(err.code, 'NoDataKey');
      assert.match(err.message, /^cannot get sops data key: .*Group 0: FAILED.*age1/s);
      return true;
    });
  });

  it('detects a tampered value (GCM tag) and never prints it', async () => {
    const enc = tools.encrypt('password: hunter2\n', 'yaml', ['--age', age.recipient]).toString();
    const tampered = enc.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_m, p: string, c: string) => p + (c === 'A' ? 'B' : 'A'));
    await assert.rejects(decryptWithFormat(Buffer.from(tampered), 'yaml', 'yaml', keys), (err: unknown) => {
      assert.ok(DecryptionError.is(err));
      assert.equal(err.code, 'ValueDecryptFailed');
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
  });

  it('detects a tampered MAC when verifying, and ignores it like Flux when not', async () => {
    const enc = tools.encrypt('apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\nstringData:\n  k: v\n', 'yaml', ['--age', age.recipient, '--encrypted-regex', '^stringData$']).toString();
    const renamed = enc.replace('name: a', 'name: b');
    await assert.rejects(decryptWithFormat(Buffer.from(renamed), 'yaml', 'yaml', keys), (err: unknown) => {
      assert.ok(DecryptionError.is(err));
      assert.equal(err.code, 'MacMismatch');
      assert.match(err.message, /failed to verify sops data integrity: expected mac '[0-9A-F]+', got '[0-9A-F]+'/);
      return true;
    });
    const out = Buffer.from(await decryptWithFormat(Buffer.from(renamed), 'yaml', 'yaml', keys, { verifyMac: false })).toString();
    assert.match(out, /name: b/);
  });

  const broken: Array<[string, SopsFormat, string, DecryptionError['code']]> = [
    ['plain YAML without metadata', 'yaml', 'a: 1\n', 'MetadataNotFound'],
    ['invalid YAML', 'yaml', 'a: [\n', 'InvalidFormat'],
    ['invalid JSON', 'json', '{"a": ', 'InvalidFormat'],
    ['a dotenv line without =', 'dotenv', 'novalue\n', 'InvalidFormat'],
    ['a YAML sequence document', 'yaml', '- a\n', 'InvalidFormat'],
    ['metadata with a bad lastmodified', 'yaml', 'a: 1\nsops:\n  lastmodified: yesterday\n  mac: x\n  age: [{recipient: r, enc: e}]\n', 'InvalidMetadata'],
    ['metadata without keys', 'yaml', 'a: 1\nsops:\n  lastmodified: "2024-01-01T00:00:00Z"\n  mac: x\n', 'InvalidMetadata'],
  ];
  for (const [name, format, input, code] of broken) {
    it(`rejects ${name}`, async () => {
      await assert.rejects(decryptWithFormat(Buffer.from(input), format, format, keys), (err: unknown) => DecryptionError.is(err) && err.code === code);
    });
  }

  it('picks formats like Flux', () => {
    assert.equal(formatForPath('config.yaml'), 'yaml');
    assert.equal(formatForPath('a.yml'), 'yaml');
    assert.equal(formatForPath('a.json'), 'json');
    assert.equal(formatForPath('.dockerconfigjson'), 'json');
    assert.equal(formatForPath('app.env'), 'dotenv');
    assert.equal(formatForPath('x.ini'), 'ini');
    assert.equal(formatForPath('token'), 'binary');
    assert.equal(detectFormat(Buffer.from('x: 1\nsops:\n    mac: ENC[AES')), 'yaml');
    assert.equal(detectFormat(Buffer.from('{"sops": {"mac": "ENC[')), 'json');
    assert.equal(detectFormat(Buffer.from('A=1\nsops_mac=ENC[')), 'dotenv');
    assert.equal(detectFormat(Buffer.from('plain')), undefined);
  });
});
