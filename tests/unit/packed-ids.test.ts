import { expect } from 'chai';
import { packIds, readBackIds, unpackIds } from '../../src/history/packed-ids.js';
import { seededRandom } from '../../src/util/random.js';

describe('packed read-back ids', () => {
  const roundTrip = (ids: number[]) => [...unpackIds(packIds(ids)!)];

  it('gives back exactly the ids packed, in their order, duplicates and all', () => {
    for (const ids of [[], [0], [1], [7, 7, 7], [1, 2, 3, 10, 9, 100_000, -3, 0], [2 ** 51, 0, -(2 ** 51), -(2 ** 51) + 1], [5, 5, 6, 6, 2, 2]]) {
      expect(roundTrip(ids), JSON.stringify(ids)).to.deep.equal(ids);
    }
    const random = seededRandom(7);
    const ids = Array.from({ length: 5000 }, () => random.int(-1_000_000, 1_000_000));
    expect(roundTrip(ids)).to.deep.equal(ids);
  });

  it('spends about one character per id on ids read in key order', () => {
    // A scope's ids as the append workload makes them: each writer's rows 4 apart, batches interleaved.
    const ids: number[] = [];
    for (let id = 1; ids.length < 100_000; id += 1 + (id % 3)) ids.push(id);
    const packed = packIds(ids)!;
    expect(packed.length).to.be.at.most(ids.length * 1.05);
    expect(packed.length).to.be.below(JSON.stringify(ids).length / 5);
  });

  it('refuses what it cannot pack exactly: not a safe integer, or two ids too far apart', () => {
    expect(packIds([1, 1.5])).to.equal(undefined);
    expect(packIds([Number.NaN])).to.equal(undefined);
    expect(packIds([2 ** 53])).to.equal(undefined);
    expect(packIds([-(2 ** 52), 2 ** 52])).to.equal(undefined);
  });

  it('rejects text it never writes', () => {
    expect(() => unpackIds('AB*C')).to.throw(/unexpected character "\*" at 2/);
    expect(() => unpackIds('Aé')).to.throw(/unexpected character/);
    // 'g' (32) says another digit follows: a cut-off number.
    expect(() => unpackIds('Ag')).to.throw(/cut off/);
    expect(() => unpackIds('g'.repeat(12) + 'A')).to.throw(/longer than 11 digits/);
  });

  it('reads a read-back in either form, packed first, and says when it holds no ids', () => {
    expect([...readBackIds({ ids: [3, 1, 2] })!]).to.deep.equal([3, 1, 2]);
    expect([...readBackIds({ packedIds: packIds([4, 4, 9])! })!]).to.deep.equal([4, 4, 9]);
    expect([...readBackIds({ packedIds: '', ids: [1] })!]).to.deep.equal([]);
    expect(readBackIds({})).to.equal(undefined);
  });
});
