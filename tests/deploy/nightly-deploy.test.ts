import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { load, loadAll } from 'js-yaml';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();
const NIGHTLY = join(root, 'scripts', 'nightly');
const WORKFLOW = join(root, '.github', 'workflows', 'nightly.yml');
const MANIFEST = join(root, 'deploy', 'k8s', 'nightly-job.yaml');

// The parts of the two files the tests read (a file without them fails the test that reads them).
interface Step {
  readonly run?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly with?: Record<string, string>;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly env: Record<string, string>;
  readonly jobs: {
    readonly image: { readonly steps: Step[] };
    readonly shard: { readonly needs: string; readonly 'timeout-minutes'?: number; readonly strategy: { readonly 'fail-fast'?: boolean; readonly matrix: { readonly shard: number[] } }; readonly steps: Step[] };
  };
}
interface Container {
  readonly args: string[];
  readonly resources: Record<'requests' | 'limits', Record<string, string> | undefined>;
  readonly volumeMounts: { readonly name: string; readonly mountPath: string }[];
}
interface Job {
  readonly kind: 'Job';
  readonly apiVersion: string;
  readonly spec: {
    readonly completionMode?: string;
    readonly completions: number;
    readonly parallelism?: number;
    readonly activeDeadlineSeconds?: number;
    readonly backoffLimit?: number;
    readonly template: {
      readonly spec: {
        readonly restartPolicy?: string;
        readonly containers: Container[];
        readonly volumes: { readonly name: string; readonly persistentVolumeClaim?: { readonly claimName: string } }[];
      };
    };
  };
}
interface Claim {
  readonly kind: 'PersistentVolumeClaim';
  readonly metadata: { readonly name: string };
  readonly spec: { readonly accessModes: string[] };
}

/** Shell words of a command line: `\`-continuations joined, quotes taken off (no escapes inside). */
function shellWords(text: string): string[] {
  const joined = text.replace(/\\\n/g, ' ');
  return Array.from(joined.matchAll(/"([^"]*)"|'([^']*)'|([^\s"']+)/g), (match) => match[1] ?? match[2] ?? match[3]!);
}

/** The words after `marker` up to the end of its command (a line end, `&`, `;`). */
function argumentsAfter(script: string, marker: string): string[] {
  const joined = script.replace(/\\\n/g, ' ');
  const start = joined.indexOf(marker);
  expect(start, `"${marker}" in:\n${script}`).to.be.at.least(0);
  const rest = joined.slice(start + marker.length);
  return shellWords(rest.split(/\n| &\s*$| & |;/m)[0]!);
}

async function listRows(args: readonly string[]): Promise<string[]> {
  const result = await execa(NIGHTLY, [...args, '--list'], { reject: false, timeout: 60_000, cwd: root });
  expect(result.exitCode, `scripts/nightly ${args.join(' ')} --list:\n${result.stderr}`).to.equal(0);
  return result.stdout.split('\n').filter(Boolean);
}

/** The nightly args without the shard: what --list of the whole matrix takes. */
function withoutShard(args: readonly string[]): string[] {
  const index = args.indexOf('--shard');
  return index < 0 ? [...args] : [...args.slice(0, index), ...args.slice(index + 2)];
}

/** A validator binary: $NAME, the tools .ci/run installs under .tmp, or one on PATH. */
async function findTool(variable: string, candidates: readonly string[], versionArgs: readonly string[]): Promise<string | undefined> {
  for (const candidate of [process.env[variable], ...candidates].filter((c): c is string => Boolean(c))) {
    const probe = await execa(candidate, versionArgs, { reject: false, timeout: 20_000 });
    if (probe.exitCode === 0) return candidate;
  }
  return undefined;
}

describe('nightly in CI (.github/workflows/nightly.yml) and on Kubernetes (deploy/k8s/nightly-job.yaml)', function () {
  this.timeout(180_000);

  describe('the GitHub Actions workflow', () => {
    const workflow = load(readFileSync(WORKFLOW, 'utf8'), { filename: WORKFLOW }) as Workflow;
    const shardJob = workflow.jobs.shard;
    const steps = shardJob.steps;
    const runScript = steps.find((step) => step.run?.includes('/app/scripts/nightly'))?.run ?? '';
    const shards = shardJob.strategy.matrix.shard;

    /** `${{ inputs.x || 'default' }}` → default; the workflow's env then fills `$NAME`. */
    const env: Record<string, string> = Object.fromEntries(
      Object.entries(workflow.env).map(([name, value]) => [name, value.replace(/^\$\{\{\s*inputs\.\w+\s*\|\|\s*'([^']*)'\s*\}\}$/, '$1')]),
    );
    const argsOf = (shard: number): string[] =>
      argumentsAfter(runScript, '--entrypoint /app/scripts/nightly "$IMAGE"').map((word) =>
        word
          .replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, String(shard))
          .replace(/\$\{\{\s*strategy\.job-total\s*\}\}/g, String(shards.length))
          .replace(/\$([A-Z_]+)/g, (whole, name: string) => env[name] ?? whole),
      );

    it('builds the image once, then runs one job per shard on it, none cancelling the others', () => {
      expect(workflow.on).to.have.property('schedule');
      const image = workflow.jobs.image;
      expect(image.steps.map((step) => step.run ?? '').join('\n')).to.match(/docker build --build-arg KALAMDB_IMAGE="\$KALAMDB_IMAGE" -t "\$IMAGE" \./);
      expect(shardJob.needs).to.equal('image');
      expect(shardJob.strategy['fail-fast']).to.equal(false);
      expect(shards, 'shards 1..N').to.deep.equal(shards.map((_, index) => index + 1));
      expect(shards.length).to.be.at.least(2);
      expect(steps.map((step) => step.run ?? '').join('\n')).to.include('docker load');
      expect(shardJob['timeout-minutes']).to.be.a('number');
    });

    it('uploads each shard\'s run folders as an artifact of its own, also when the shard failed', () => {
      const upload = steps.find((step) => String(step.uses).startsWith('actions/upload-artifact@'));
      expect(upload, 'an upload-artifact step').to.not.equal(undefined);
      expect(upload!.if).to.equal('always()');
      expect(upload!.with?.name).to.include('${{ matrix.shard }}');
      expect(upload!.with?.path).to.equal('runs/');
      expect(runScript).to.match(/-v "\$PWD\/runs:\/runs"/);
      expect(argsOf(1)).to.include.members(['--out', '/runs']);
    });

    it('passes scripts/nightly flags it accepts, and its shards together run the whole matrix once', async () => {
      expect(argsOf(1).slice(0, 2)).to.deep.equal(['--shard', `1/${shards.length}`]);
      for (const word of argsOf(1)) expect(word, 'an unexpanded variable').to.not.match(/\$/);
      const matrix = await listRows(withoutShard(argsOf(1)));
      expect(matrix.length).to.be.at.least(shards.length);
      const listed: string[] = [];
      for (const shard of shards) {
        const rows = await listRows(argsOf(shard));
        expect(rows, `shard ${shard} runs something`).to.not.deep.equal([]);
        listed.push(...rows);
      }
      expect(listed.sort()).to.deep.equal([...matrix].sort());
    });

    it('passes actionlint (skipped when no actionlint is installed)', async function () {
      const actionlint = await findTool('ACTIONLINT', [join(root, '.tmp', 'go-bin', 'actionlint'), 'actionlint'], ['-version']);
      if (!actionlint) this.skip();
      const result = await execa(actionlint, ['-no-color', WORKFLOW], { cwd: root, reject: false, timeout: 60_000 });
      expect(result.exitCode, `actionlint:\n${result.stdout}\n${result.stderr}`).to.equal(0);
    });
  });

  describe('the Kubernetes Indexed Job', () => {
    const documents = loadAll(readFileSync(MANIFEST, 'utf8'), null, { filename: MANIFEST }) as (Job | Claim)[];
    const job = documents.find((document): document is Job => document.kind === 'Job')!;
    const claim = documents.find((document): document is Claim => document.kind === 'PersistentVolumeClaim')!;
    const pod = job.spec.template.spec;
    const container = pod.containers[0]!;
    const script = container.args[0]!;
    const argsOf = (index: number): string[] => argumentsAfter(script, '/app/scripts/nightly').map((word) => word.replace(/\$shard/g, String(index + 1)));

    it('is an Indexed Job of N pods at once, bounded by a deadline and a retry limit', () => {
      expect(job.apiVersion).to.equal('batch/v1');
      expect(job.spec.completionMode).to.equal('Indexed');
      expect(job.spec.completions).to.be.a('number').and.at.least(2);
      expect(job.spec.parallelism).to.equal(job.spec.completions);
      expect(job.spec.activeDeadlineSeconds).to.be.a('number').and.above(0);
      expect(job.spec.backoffLimit).to.be.a('number');
      expect(pod.restartPolicy).to.equal('Never');
      for (const kind of ['requests', 'limits'] as const) {
        expect(container.resources[kind], kind).to.include.keys('cpu', 'memory');
      }
    });

    it('takes its shard from JOB_COMPLETION_INDEX, shard = index + 1 of completions', () => {
      expect(script).to.match(/^shard=\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)$/m);
      expect(argsOf(0).slice(0, 2)).to.deep.equal(['--shard', `1/${job.spec.completions}`]);
      expect(argsOf(job.spec.completions - 1).slice(0, 2)).to.deep.equal(['--shard', `${job.spec.completions}/${job.spec.completions}`]);
    });

    it('collects the run folders on the PersistentVolumeClaim it declares', () => {
      const runsVolume = pod.volumes.find((volume) => volume.persistentVolumeClaim);
      expect(runsVolume?.persistentVolumeClaim?.claimName).to.equal(claim.metadata.name);
      const mount = container.volumeMounts.find((m) => m.name === runsVolume?.name);
      expect(mount?.mountPath).to.equal('/runs');
      const out = argsOf(0)[argsOf(0).indexOf('--out') + 1]!;
      expect(script, 'the nightly --out is copied to the claim').to.include(`cp -a ${out}/. "/runs/`);
      expect(claim.spec.accessModes).to.include('ReadWriteMany');
    });

    it('passes scripts/nightly flags it accepts, and its pods together run the whole matrix once', async () => {
      const listed: string[] = [];
      for (let index = 0; index < job.spec.completions; index++) listed.push(...(await listRows(argsOf(index))));
      expect(listed.sort()).to.deep.equal((await listRows(withoutShard(argsOf(0)))).sort());
    });

    it('passes kubernetes-validate --strict against its schemas (skipped when it is not installed)', async function () {
      const validate = await findTool('KUBERNETES_VALIDATE', [join(root, '.tmp', 'k8s-validate-venv', 'bin', 'kubernetes-validate')], ['--version']);
      if (!validate) this.skip();
      for (const version of ['1.30.0', '1.37.0']) {
        const result = await execa(validate, ['--strict', '--quiet', '-k', version, MANIFEST], { reject: false, timeout: 60_000 });
        expect(result.exitCode, `kubernetes-validate ${version}:\n${result.stdout}\n${result.stderr}`).to.equal(0);
      }
    });
  });

  it('both files exist where the README says', () => {
    expect(existsSync(WORKFLOW)).to.equal(true);
    expect(existsSync(MANIFEST)).to.equal(true);
  });
});
