import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('bulwark usage and help', () => {
  it('prints the command list for --help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['sidecar', 'scan', 'scan --jsonl', 'policy validate', 'decrypt']) expect(r.stdout).toContain(cmd);
  });

  it('exits 64 with the command list on stderr when no command is given', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('Usage: bulwark <command>');
  });

  it('exits 64 for an unknown command', async () => {
    const r = await runCli(['scna']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('unknown command "scna"');
  });

  it.each([
    [['scan', '--bogus', 'x'], "'--bogus'", 'bulwark scan --help'],
    [['scan', '--jsonl', '--json'], "'--json'", 'bulwark scan --jsonl --help'],
    [['scan', '--direction', 'sideways', 'x'], '--direction must be one of input, output', 'bulwark scan --help'],
    [['scan', '--jsonl', '--workers', 'two'], '--workers must be a positive integer', 'bulwark scan --jsonl --help'],
    [['scan', 'one', 'two'], 'unexpected argument', 'bulwark scan --help'],
    [['policy', 'validate'], 'missing FILE', 'bulwark policy validate --help'],
    [['policy', 'check', 'x.yaml'], 'unknown policy subcommand "check"', 'bulwark --help'],
    [['sidecar', '--listen'], "'--listen <value>' argument missing", 'bulwark sidecar --help'],
    [['sidecar', '--workers', '0'], '--workers must be a positive integer', 'bulwark sidecar --help'],
    [['decrypt', 'tok'], 'exactly one of --key-env or --key-file', 'bulwark decrypt --help'],
  ])('rejects %j with exit 64', async (args, message, helpHint) => {
    const r = await runCli(args);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(helpHint);
    expect(r.stdout).toBe('');
  });

  it.each([['scan'], ['scan', '--jsonl'], ['policy', 'validate'], ['sidecar'], ['decrypt']])(
    'answers %j --help with its own usage and exit 0',
    async (...cmd) => {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: bulwark ${cmd.join(' ')}`);
    },
  );
});
