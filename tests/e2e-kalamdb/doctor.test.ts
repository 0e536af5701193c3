import { expect } from 'chai';
import { runCli } from '../support/cli.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';

describe('kalam-chaos doctor against the real kalamdb-server', function () {
  this.timeout(90_000);
  let serverBin = '';

  before(function () {
    serverBin = requireKalamdbBinary(this);
  });

  it('starts the binary as a campaign does and reports the version its /health names', async () => {
    const run = await runCli(['doctor', '--server-bin', serverBin], { timeoutMs: 80_000 });
    const line = run.stdout.split('\n').find((candidate) => /\bkalamdb-server\b/.test(candidate.slice(0, 30)));
    expect(line, run.stdout + run.stderr).to.match(/^ok\s+kalamdb-server\s+.*version 0\.4\.3-rc\.4$/);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
  });
});
