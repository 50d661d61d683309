// SPDX-License-Identifier: Apache-2.0
/**
 * Where the repository, its tool binaries and the system tools the test servers need live.
 * @module
 */
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { TestEnvError, ToolNotFoundError } from './errors.ts';

let cachedRoot: string | undefined;

/**
 * The repository root: the nearest directory above this package that holds `pnpm-workspace.yaml`.
 * @returns an absolute path.
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = import.meta.dirname;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return (cachedRoot = dir);
    const up = dirname(dir);
    if (up === dir) {
      throw new TestEnvError(`no pnpm-workspace.yaml above ${import.meta.dirname}: is @eddy/testenv inside the repo?`);
    }
    dir = up;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of a Go-built tool (etcd, kube-apiserver, kube-controller-manager, kubectl, kustomize, helm, registry,
 * sops, age, age-keygen).
 *
 * Looks in `$EDDY_ASSETS` and `$KUBEBUILDER_ASSETS` when they are set, then in `<repo>/.eddy/bin`.
 * @param name - the binary's name.
 * @returns an absolute path to an executable file.
 * @throws {@link ToolNotFoundError} naming `make tools` when the binary is missing.
 */
export function toolPath(name: string): string {
  const dirs = [process.env.EDDY_ASSETS, process.env.KUBEBUILDER_ASSETS].filter((d): d is string => !!d);
  dirs.push(join(repoRoot(), '.eddy', 'bin'));
  const candidates = dirs.map((d) => join(d, name));
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new ToolNotFoundError(
    name,
    candidates,
    'run `make tools` (hack/tools.sh builds it into ~/.cache/eddy/tools and links it into .eddy/bin), ' +
      'or set EDDY_ASSETS to a directory that holds it',
  );
}

const SYSTEM_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/lib/git-core', '/usr/libexec/git-core'];

/**
 * The path of a system tool (git, ssh, ssh-keygen, sshd, git-http-backend), from `$PATH` or the usual sbin and
 * git-core directories.
 * @param name - the binary's name.
 * @param hint - how to install it, used in the error.
 * @throws {@link ToolNotFoundError} when it is not installed.
 */
export function systemToolPath(name: string, hint = 'run `make setup` (installs git and openssh-server)'): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  const candidates = dirs.map((d) => join(d, name));
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new ToolNotFoundError(name, [...new Set(dirs)], hint);
}

/**
 * Makes a fresh temporary directory, on `/dev/shm` (memory) when it is writable, else in the OS temp dir.
 * @param prefix - the directory name's prefix, e.g. `eddy-cp-`.
 */
export function makeTempDir(prefix: string): string {
  for (const base of ['/dev/shm', tmpdir()]) {
    try {
      accessSync(base, constants.W_OK);
      mkdirSync(base, { recursive: true });
      return mkdtempSync(join(base, prefix));
    } catch {
      // try the next base
    }
  }
  return mkdtempSync(join(tmpdir(), prefix));
}
