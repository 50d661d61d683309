// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Command } from 'commander';
import { buildProgram, run } from './program.ts';
import { completionScript, completionTree } from './commands/completion.ts';

function leaves(cmd: Command, path: string[] = []): string[][] {
  if (cmd.commands.length === 0) return [path];
  return cmd.commands.flatMap((c) => leaves(c, [...path, c.name()]));
}

async function help(argv: string[]): Promise<{ code: number; text: string }> {
  const out: string[] = [];
  const code = await run([...argv, '--help'], { out: (t) => out.push(t), err: (t) => out.push(t) });
  return { code, text: out.join('\n') };
}

describe('every command', () => {
  const commands = leaves(buildProgram());

  it('has help with examples and the global flags', async () => {
    assert.ok(commands.length >= 28, `${commands.length} commands`);
    for (const path of commands) {
      const { code, text } = await help(path);
      assert.equal(code, 0, path.join(' '));
      assert.match(text, /\nExamples:\n/, `${path.join(' ')} has examples`);
      for (const flag of ['--kubeconfig', '--context', '--namespace', '--timeout']) assert.ok(text.includes(flag), `${path.join(' ')} --help shows ${flag}`);
    }
  });

  it('fails with one ✗ line for a bad --timeout', async () => {
    const err: string[] = [];
    const code = await run(['get', 'ks', '--timeout', 'soon'], { err: (t) => err.push(t), out: () => undefined });
    assert.equal(code, 1);
    assert.deepEqual(err, ["✗ invalid --timeout 'soon': " + err[0]!.split(': ').slice(1).join(': ')]);
    assert.match(err[0]!, /^✗ invalid --timeout 'soon'/);
  });
});

describe('completion', () => {
  it('offers kind words after the verbs that take them', () => {
    const nodes = completionTree(buildProgram());
    const get = nodes.find((n) => n.path === '/get')!;
    assert.ok(get.subs.includes('source') && get.subs.includes('ks') && get.subs.includes('all'));
    assert.deepEqual(nodes.find((n) => n.path === '/get/source')!.subs, ['git', 'oci', 'helm', 'chart', 'bucket', 'external', 'all']);
    assert.ok(nodes.find((n) => n.path === '/create/image')!.subs.includes('policy'));
  });

  it('writes scripts bash accepts and that complete subcommands', () => {
    const script = completionScript(buildProgram(), 'bash');
    execFileSync('bash', ['-n'], { input: script });
    const words = execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=(eddy create so); COMP_CWORD=2; _eddy; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim();
    assert.equal(words, 'source');
    const flags = execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=(eddy get ks --all); COMP_CWORD=3; _eddy; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim();
    assert.equal(flags, '--all-namespaces');
  });

  it('writes zsh and fish scripts, and refuses other shells', () => {
    assert.match(completionScript(buildProgram(), 'zsh'), /^#compdef eddy\n/);
    assert.match(completionScript(buildProgram(), 'fish'), /complete -c eddy/);
    assert.throws(() => completionScript(buildProgram(), 'powershell'), /unsupported shell/);
  });
});
