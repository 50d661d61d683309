// SPDX-License-Identifier: Apache-2.0
/**
 * Test helper: drives the real `sops`, `age-keygen` and `gpg` binaries so decryption tests run
 * against files encrypted by the tools users use, and compare with `sops decrypt` output.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '@eddy/testenv';

/** An age key pair. */
export interface AgeKey {
  identity: string;
  recipient: string;
  /** The key file as `age-keygen` writes it. */
  file: string;
}

/** A toolbox bound to a scratch directory; `cleanup()` removes it. */
export class SopsTools {
  readonly dir = mkdtempSync(join(tmpdir(), 'sops-tools-'));
  readonly sops = toolPath('sops');
  private readonly ageKeygen = toolPath('age-keygen');
  private n = 0;
  /** GNUPGHOME holding generated PGP keys, when gpg is available. */
  gnupgHome: string | undefined;

  /** Generates an age key with the real `age-keygen`. */
  ageKey(): AgeKey {
    const file = join(this.dir, `age-${this.n++}.txt`);
    execFileSync(this.ageKeygen, ['-o', file], { stdio: 'pipe' });
    const text = readFileSync(file, 'utf8');
    return {
      identity: /^AGE-SECRET-KEY-1\S+$/m.exec(text)![0],
      recipient: /public key: (age1\S+)/.exec(text)![1]!,
      file: text,
    };
  }

  /** True when a `gpg` binary is on PATH. */
  static hasGpg(): boolean {
    return spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;
  }

  /** Generates a passwordless PGP key; returns its fingerprint and armored secret key. */
  pgpKey(): { fingerprint: string; armored: string } {
    this.gnupgHome ??= mkdtempSync(join(this.dir, 'gnupg-'));
    const env = { ...process.env, GNUPGHOME: this.gnupgHome };
    const uid = `eddy-test-${this.n++}@example.com`;
    execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', uid, 'rsa2048', 'encrypt,sign', 'never'], { env, stdio: 'pipe' });
    const listing = execFileSync('gpg', ['--batch', '--with-colons', '--list-secret-keys', uid], { env }).toString();
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing)![1]!;
    const armored = execFileSync('gpg', ['--batch', '--armor', '--export-secret-keys', fingerprint], { env }).toString();
    return { fingerprint, armored };
  }

  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: this.dir, ...extra };
    if (this.gnupgHome) env.GNUPGHOME = this.gnupgHome;
    return env;
  }

  /** Encrypts `content` with the real sops; `args` adds key and rule flags. */
  encrypt(content: string | Uint8Array, inputType: string, args: string[], outputType = inputType, env: Record<string, string> = {}): Buffer {
    const file = join(this.dir, `plain-${this.n++}`);
    writeFileSync(file, content);
    try {
      return execFileSync(this.sops, ['encrypt', '--input-type', inputType, '--output-type', outputType, ...args, file], {
        env: this.env(env),
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: this.dir,
      });
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** Decrypts with the real sops (the oracle for byte-for-byte comparisons). */
  decrypt(content: Uint8Array, inputType: string, outputType: string, env: Record<string, string>): Buffer {
    const file = join(this.dir, `enc-${this.n++}`);
    writeFileSync(file, content);
    try {
      return execFileSync(this.sops, ['decrypt', '--input-type', inputType, '--output-type', outputType, file], {
        env: this.env(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** Writes a `.sops.yaml` creation rule into the scratch dir (for key groups). */
  writeConfig(yaml: string): string {
    const p = join(this.dir, '.sops.yaml');
    writeFileSync(p, yaml);
    return p;
  }

  /** Removes the `.sops.yaml` written by {@link writeConfig}. */
  removeConfig(): void {
    rmSync(join(this.dir, '.sops.yaml'), { force: true });
  }

  /** Removes the scratch directory. */
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
