// SPDX-License-Identifier: Apache-2.0
/**
 * An sshd on a loopback port that serves git over SSH: its own host key, one generated client key, and a forced
 * command that maps `ssh://<user>@127.0.0.1:<port>/<repo>` to the bare repositories of a git server.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { StartupError } from './errors.ts';
import { run } from './exec.ts';
import { freePort } from './ports.ts';
import type { Daemon } from './process.ts';
import { spawnDaemon, waitUntil } from './process.ts';
import type { Reaper } from './reaper.ts';
import { systemToolPath } from './paths.ts';

const SSHD_HINT = 'install openssh-server (`make setup` runs apt-get install -y openssh-server)';

/** A running git sshd. */
export interface GitSshd {
  /** The port on 127.0.0.1. */
  port: number;
  /** The login user (the current user; sshd cannot log in as a user that does not exist). */
  user: string;
  /** The `known_hosts` line: `[127.0.0.1]:<port> ssh-ed25519 AAAA…`. */
  knownHosts: string;
  /** The client private key (OpenSSH PEM). */
  clientPrivateKey: string;
  /** The client public key (`ssh-ed25519 AAAA… comment`). */
  clientPublicKey: string;
  /** The client private key file (mode 0600). */
  clientKeyFile: string;
  /** A known_hosts file holding {@link GitSshd.knownHosts}. */
  knownHostsFile: string;
  /** The process. */
  daemon: Daemon;
}

/** Whether an sshd binary is installed (tests that need SSH may skip without one). */
export function hasSshd(): boolean {
  try {
    systemToolPath('sshd', SSHD_HINT);
    return true;
  } catch {
    return false;
  }
}

/** The forced command: only git-upload-pack/receive-pack/upload-archive of a repository under `root`. */
function gitShellScript(root: string): string {
  return `#!/bin/sh
cmd=\${SSH_ORIGINAL_COMMAND:-}
case "$cmd" in
  "git-upload-pack "*|"git-receive-pack "*|"git-upload-archive "*) ;;
  *) echo "eddy testenv: only git over SSH is served, not: $cmd" >&2; exit 1 ;;
esac
verb=\${cmd%% *}
path=\${cmd#* }
path=\${path#\\'}; path=\${path%\\'}
path=\${path#/}
case "$path" in ""|*..*) echo "eddy testenv: bad repository path: $path" >&2; exit 1 ;; esac
exec git "\${verb#git-}" "${root}/$path"
`;
}

function sshdConfig(dir: string, port: number, user: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'AuthenticationMethods publickey',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    `AllowUsers ${user}`,
    'AcceptEnv GIT_PROTOCOL',
    'PrintMotd no',
    'MaxStartups 100',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

async function keygen(file: string, comment: string): Promise<void> {
  await run(systemToolPath('ssh-keygen', SSHD_HINT), ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** Resolves true once the port greets with an SSH banner. */
function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000);
    socket.once('data', (d: Buffer) => {
      socket.destroy();
      resolve(d.toString().startsWith('SSH-'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts sshd for git: generates host and client keys in `dir`, authorizes the client key with a forced command
 * that serves the bare repositories under `reposDir`, and waits for the SSH banner.
 * @param dir - a directory for keys, config and `sshd.log`.
 * @param reposDir - the bare repositories.
 * @param reaper - the watchdog of the owning git server.
 * @throws {@link ToolNotFoundError} when sshd is not installed, {@link StartupError} with the log tail.
 */
export async function startGitSshd(dir: string, reposDir: string, reaper: Reaper): Promise<GitSshd> {
  const sshd = systemToolPath('sshd', SSHD_HINT);
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const user = userInfo().username;
  const clientKeyFile = join(dir, 'client_ed25519');
  await Promise.all([
    keygen(join(dir, 'host_ed25519'), 'eddy-testenv-host'),
    keygen(clientKeyFile, 'eddy-testenv-client'),
  ]);
  const shell = join(dir, 'git-shell.sh');
  writeFileSync(shell, gitShellScript(reposDir), { mode: 0o755 });
  const clientPublicKey = readFileSync(`${clientKeyFile}.pub`, 'utf8').trim();
  const restrictions = 'no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty';
  const authorized = `command="${shell}",${restrictions} ${clientPublicKey}\n`;
  writeFileSync(join(dir, 'authorized_keys'), authorized, { mode: 0o600 });
  const hostKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'sshd_config'), sshdConfig(dir, port, user));
    const daemon = spawnDaemon({
      name: 'sshd',
      command: sshd,
      args: ['-D', '-e', '-f', join(dir, 'sshd_config')],
      logDir: dir,
      reaper,
    });
    try {
      await waitUntil(() => banner(port), {
        what: `sshd on port ${port}`,
        timeoutMs: 15_000,
        abort: () => (daemon.exitStatus ? `sshd exited (${JSON.stringify(daemon.exitStatus)})` : undefined),
      });
      const knownHosts = `[127.0.0.1]:${port} ${hostKey}`;
      const knownHostsFile = join(dir, 'known_hosts');
      writeFileSync(knownHostsFile, `${knownHosts}\n`);
      const clientPrivateKey = readFileSync(clientKeyFile, 'utf8');
      return { port, user, knownHosts, clientPrivateKey, clientPublicKey, clientKeyFile, knownHostsFile, daemon };
    } catch (err) {
      await daemon.stop(1000);
      const tail = daemon.logTail();
      if (attempt < 3 && /Address already in use/i.test(tail)) continue;
      throw new StartupError('sshd', err instanceof Error ? err.message : String(err), tail, { cause: err });
    }
  }
}
