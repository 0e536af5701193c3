import { expect } from 'chai';
import { killAllGroups, liveGroupCount } from '../../src/target/process-registry.js';

/** After the whole suite: no server started by a test may still be running. */
export const mochaHooks = {
  afterAll() {
    const leftovers = liveGroupCount();
    killAllGroups();
    expect(leftovers, 'server process groups left running by the tests').to.equal(0);
  },
};
