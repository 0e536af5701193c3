import { expect } from 'chai';
import type { Dispatcher } from 'undici';
import { dispatchText } from '../../src/client/dispatch-text.js';

type Step = (handler: Dispatcher.DispatchHandler, controller: Dispatcher.DispatchController) => void;

/** A dispatcher that plays a response to the handler step by step, as undici's core does. */
function scripted(steps: Step[]): Dispatcher {
  const controller = { abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null } as unknown as Dispatcher.DispatchController;
  return {
    dispatch(_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      handler.onRequestStart?.(controller, {});
      for (const step of steps) step(handler, controller);
      return true;
    },
  } as unknown as Dispatcher;
}

const options: Dispatcher.DispatchOptions = { method: 'POST', path: '/v1/api/sql', body: '{}' };

describe('dispatchText', () => {
  it('joins the body from every chunk before decoding it, a character split between two', async () => {
    const bytes = Buffer.from('{"v":"é日本"}');
    const split = bytes.indexOf(Buffer.from('日')) + 1;
    const dispatcher = scripted([
      (handler, controller) => handler.onResponseStart?.(controller, 200, {}, 'OK'),
      (handler, controller) => handler.onResponseData?.(controller, bytes.subarray(0, split)),
      (handler, controller) => handler.onResponseData?.(controller, bytes.subarray(split)),
      (handler, controller) => handler.onResponseEnd?.(controller, {}),
    ]);
    expect(await dispatchText(dispatcher, options)).to.deep.equal({ status: 200, text: '{"v":"é日本"}' });
  });

  it('answers the final status, not a 1xx before it, and an empty body as empty text', async () => {
    const dispatcher = scripted([
      (handler, controller) => handler.onResponseStart?.(controller, 100, {}, 'Continue'),
      (handler, controller) => handler.onResponseStart?.(controller, 404, {}, 'Not Found'),
      (handler, controller) => handler.onResponseEnd?.(controller, {}),
    ]);
    expect(await dispatchText(dispatcher, options)).to.deep.equal({ status: 404, text: '' });
  });

  it("rejects with undici's error when the response breaks off after its status", async () => {
    const broken = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const dispatcher = scripted([
      (handler, controller) => handler.onResponseStart?.(controller, 200, {}, 'OK'),
      (handler, controller) => handler.onResponseData?.(controller, Buffer.from('{"status":')),
      (handler, controller) => handler.onResponseError?.(controller, broken),
    ]);
    await dispatchText(dispatcher, options).then(
      () => expect.fail('a broken response must reject'),
      (error: unknown) => expect(error).to.equal(broken),
    );
  });
});
