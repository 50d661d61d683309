// SPDX-License-Identifier: Apache-2.0
/**
 * Commit and tag signature verification against the keys of a Secret, as Flux does it
 * (fluxcd/pkg `git/signature`): every Secret value is a key ring — armored OpenPGP public keys,
 * or SSH public keys in `authorized_keys` format. The signed payload is verified directly:
 * - OpenPGP with `gpg --verify` in a throw-away GNUPGHOME; the result is the 16-hex key id of
 *   the primary key (Flux's `KeyIdString`);
 * - SSH with `ssh-keygen -Y verify` (namespace `git`) against an allowed-signers file built from
 *   the keys; the result is the key's `SHA256:` fingerprint.
 * Failures are GitError `VerificationFailed`.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitError } from './errors.ts';
import type { AnnotatedTag, Commit } from './revision.ts';
import { signatureType } from './revision.ts';

/** The outcome of a successful verification. */
export interface VerifiedSignature {
  type: 'openpgp' | 'ssh';
  /** OpenPGP key id (16 upper-case hex) or SSH `SHA256:` fingerprint. */
  key: string;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; signal?: AbortSignal }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: { PATH: process.env.PATH, LC_ALL: 'C', ...opts.env }, signal: opts.signal, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          reject(err);
          return;
        }
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Extracts the SSH public keys (`<type> <base64>`) from `authorized_keys`-style text. */
export function parseAuthorizedKeys(text: string): string[] {
  const keys: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /(?:^|\s)((?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(?:-cert-v01@openssh\.com)?)\s+([A-Za-z0-9+/=]+)/.exec(line);
    if (m) keys.push(`${m[1]} ${m[2]}`);
  }
  return keys;
}

async function verifyPgp(payload: string, signature: string, keyRings: string[], signal?: AbortSignal): Promise<VerifiedSignature> {
  const home = await mkdtemp(join(tmpdir(), 'eddy-gpg-'));
  try {
    await chmod(home, 0o700);
    const env = { GNUPGHOME: home };
    let imported = 0;
    for (const [i, ring] of keyRings.entries()) {
      if (!/BEGIN PGP PUBLIC KEY BLOCK/.test(ring)) continue;
      const file = join(home, `ring-${i}.asc`);
      await writeFile(file, ring, { mode: 0o600 });
      const r = await run('gpg', ['--batch', '--no-tty', '--quiet', '--import', file], { env, ...(signal ? { signal } : {}) });
      if (r.code === 0) imported++;
    }
    if (imported === 0) throw new GitError('VerificationFailed', 'unable to read armored key ring: no OpenPGP public keys found');
    const sigFile = join(home, 'payload.sig');
    const dataFile = join(home, 'payload');
    await writeFile(sigFile, signature);
    await writeFile(dataFile, payload);
    const r = await run('gpg', ['--batch', '--no-tty', '--status-fd', '1', '--verify', sigFile, dataFile], { env, ...(signal ? { signal } : {}) });
    const valid = /^\[GNUPG:\] VALIDSIG (\S+)(?: \S+){8} (\S+)/m.exec(r.stdout);
    if (r.code !== 0 || !valid || /^\[GNUPG:\] (BADSIG|ERRSIG|EXPKEYSIG|REVKEYSIG)/m.test(r.stdout)) {
      throw new GitError('VerificationFailed', 'unable to verify payload with any of the given key rings');
    }
    const primary = valid[2] ?? valid[1]!;
    return { type: 'openpgp', key: primary.slice(-16).toUpperCase() };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function verifySsh(payload: string, signature: string, keyRings: string[], signal?: AbortSignal): Promise<VerifiedSignature> {
  const keys = keyRings.flatMap(parseAuthorizedKeys);
  if (keys.length === 0) throw new GitError('VerificationFailed', 'unable to parse authorized keys: no SSH public keys found');
  const dir = await mkdtemp(join(tmpdir(), 'eddy-sshsig-'));
  try {
    const allowed = join(dir, 'allowed_signers');
    await writeFile(allowed, keys.map((k) => `git namespaces="git" ${k}\n`).join(''), { mode: 0o600 });
    const sigFile = join(dir, 'payload.sig');
    await writeFile(sigFile, signature);
    const r = await run('ssh-keygen', ['-Y', 'verify', '-f', allowed, '-I', 'git', '-n', 'git', '-s', sigFile], {
      input: payload,
      ...(signal ? { signal } : {}),
    });
    const m = /Good "git" signature for .* with \S+ key (SHA256:[A-Za-z0-9+/=]+)/.exec(r.stdout + r.stderr);
    if (r.code !== 0 || !m) throw new GitError('VerificationFailed', 'unable to verify payload with any of the given authorized keys');
    return { type: 'ssh', key: m[1]! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Verifies an armored `signature` over `payload` with any of `keyRings`. */
export async function verifyPayload(payload: string, signature: string | undefined, keyRings: string[], signal?: AbortSignal): Promise<VerifiedSignature> {
  const type = signatureType(signature);
  if (type === 'openpgp') return verifyPgp(payload, signature!, keyRings, signal);
  if (type === 'ssh') return verifySsh(payload, signature!, keyRings, signal);
  if (type === 'empty') throw new GitError('VerificationFailed', 'unable to verify payload as the provided signature is empty');
  throw new GitError('VerificationFailed', `unable to verify signature, detected signature format: ${type}`);
}

/** Verifies the signature of a concrete commit. */
export async function verifyCommit(commit: Commit, keyRings: string[], signal?: AbortSignal): Promise<VerifiedSignature> {
  if (!commit.signature) throw new GitError('VerificationFailed', 'commit does not have a signature');
  if (commit.encoded === undefined) throw new GitError('VerificationFailed', 'commit is not concrete: nothing to verify');
  return verifyPayload(commit.encoded, commit.signature, keyRings, signal);
}

/** Verifies the signature of an annotated tag. */
export async function verifyTag(tag: AnnotatedTag, keyRings: string[], signal?: AbortSignal): Promise<VerifiedSignature> {
  if (!tag.signature) throw new GitError('VerificationFailed', `cannot verify signature of tag '${tag.name}' since it is not signed`);
  return verifyPayload(tag.encoded ?? '', tag.signature, keyRings, signal);
}
