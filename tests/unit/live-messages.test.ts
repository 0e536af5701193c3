import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { batchControlOf, compareSeq, LiveProtocolError, maxSeq, parseLiveFrame, rowsOf } from '../../src/client/live-messages.js';

const text = (value: string) => parseLiveFrame(Buffer.from(value), false);

describe('live-query messages', () => {
  it('keeps a bare last_seq_id beyond 2^53 exact, as a decimal string', () => {
    // JSON.parse would read 9007199254740993 as 9007199254740992.
    const message = text('{"type":"subscription_ack","batch_control":{"batch_num":0,"has_more":true,"status":"loading","last_seq_id":9007199254740993}}');
    expect(message.kind).to.equal('subscription_ack');
    expect(batchControlOf(message)).to.deep.equal({ batchNum: 0, hasMore: true, status: 'loading', lastSeq: '9007199254740993' });
  });

  it('reads last_seq_id null as no cursor', () => {
    const message = text('{"type":"initial_data_batch","rows":[],"batch_control":{"batch_num":0,"has_more":false,"status":"ready","last_seq_id":null}}');
    expect(batchControlOf(message)?.lastSeq).to.equal(undefined);
    expect(rowsOf(message, 'rows')).to.deep.equal([]);
  });

  it('leaves the rows\u2019 decimal-string _seq and short numbers as they are', () => {
    const message = text('{"type":"change","change_type":"insert","rows":[{"id":"7","payload":"r1","_seq":"386845727841423361","_deleted":false}],"n":12}');
    expect(rowsOf(message, 'rows')).to.deep.equal([{ id: '7', payload: 'r1', _seq: '386845727841423361', _deleted: false }]);
    expect(message.body.n).to.equal(12);
  });

  it('reads long integers in arrays and after whitespace', () => {
    const message = text('{"type":"other_kind","a":[ 12345678901234567 , 1],"b": 98765432109876543 }');
    expect(message.kind).to.equal('other');
    expect(message.body.a).to.deep.equal(['12345678901234567', 1]);
    expect(message.body.b).to.equal('98765432109876543');
  });

  it('unpacks a gzip binary frame and counts its bytes on the wire', () => {
    const wire = gzipSync(Buffer.from('{"type":"initial_data_batch","batch_control":{"batch_num":1,"has_more":false,"status":"ready","last_seq_id":386845727841423999}}'));
    const message = parseLiveFrame(wire, true);
    expect(message).to.deep.include({ kind: 'initial_data_batch', binary: true, bytes: wire.length });
    expect(batchControlOf(message)?.lastSeq).to.equal('386845727841423999');
  });

  it('refuses a binary frame that is not gzip and a frame that is not a JSON object, with the frame in the message', () => {
    expect(() => parseLiveFrame(Buffer.from('not gzip'), true)).to.throw(LiveProtocolError, /not gzip/);
    expect(() => text('[1,2]')).to.throw(LiveProtocolError, /not a JSON object: \[1,2\]/);
    expect(() => text('{"type":')).to.throw(LiveProtocolError, /not JSON/);
  });

  it('compares and takes the maximum of _seq values that differ beyond double precision', () => {
    expect(compareSeq('9007199254740993', '9007199254740992')).to.equal(1);
    expect(compareSeq('9007199254740992', '9007199254740993')).to.equal(-1);
    expect(compareSeq('10000000000000000', '9999999999999999')).to.equal(1);
    expect(compareSeq('386845727841423360', '386845727841423360')).to.equal(0);
    expect(maxSeq('9007199254740992', '9007199254740993')).to.equal('9007199254740993');
    expect(maxSeq(undefined, '5')).to.equal('5');
    expect(maxSeq('5', undefined)).to.equal('5');
    expect(maxSeq(undefined, undefined)).to.equal(undefined);
  });
});
