/**
 * Builds tools/helm-render (Go text/template + sprig, GOPATH mode with Debian's packages) and
 * renders charts/bulwark with it, for tests. `goAvailable` says whether this machine can.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const GOPATH = '/usr/share/gocode';
const REPO = new URL('../..', import.meta.url).pathname;
export const CHART = join(REPO, 'charts/bulwark');

export const goAvailable =
  spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0 &&
  existsSync(join(GOPATH, 'src/github.com/Masterminds/sprig')) &&
  existsSync(join(GOPATH, 'src/gopkg.in/yaml.v3'));

let binary: string | undefined;

/** Builds the renderer once per process. */
export function buildRenderer(): string {
  if (binary) return binary;
  const dir = mkdtempSync(join(tmpdir(), 'helm-render-'));
  const out = join(dir, 'helm-render');
  const build = spawnSync('go', ['build', '-o', out, './tools/helm-render'], {
    cwd: REPO,
    env: { ...process.env, GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOCACHE: join(dir, 'cache') },
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`go build failed: ${build.stderr}`);
  binary = out;
  return out;
}

export interface Rendered {
  ok: boolean;
  stderr: string;
  text: string;
  docs: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** `helm template <name> charts/bulwark -n <namespace> --set ...` */
export function render(sets: Record<string, string | number | boolean>, options: { name?: string; namespace?: string; notes?: boolean } = {}): Rendered {
  const args = ['--chart', CHART, '--name', options.name ?? 'bw', '--namespace', options.namespace ?? 'bulwark'];
  for (const [k, v] of Object.entries(sets)) args.push('--set', `${k}=${String(v)}`);
  if (options.notes) args.push('--notes');
  const run = spawnSync(buildRenderer(), args, { encoding: 'utf8' });
  const text = run.stdout ?? '';
  const docs = run.status === 0 && !options.notes ? parseAllDocuments(text).map((d) => d.toJSON() as Record<string, unknown>).filter((d) => d !== null) : [];
  return { ok: run.status === 0, stderr: run.stderr ?? '', text, docs: docs as Rendered['docs'] };
}
