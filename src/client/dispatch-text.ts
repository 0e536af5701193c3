import type { Dispatcher } from 'undici';

export interface TextResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * One HTTP exchange through undici's `dispatch`: the final status and the whole body as UTF-8
 * text. What `request()` + `body.text()` give, without a response stream and its promises per
 * request. Rejects with undici's own error (its `code` says whether the connection was refused,
 * broken or timed out), also when the body breaks off after the status arrived.
 */
export function dispatchText(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks: Buffer[] = [];
    dispatcher.dispatch(options, {
      // undici tells a handler of this API from a legacy one by this method.
      onRequestStart() {},
      onResponseStart(_controller, statusCode) {
        // 1xx answers are informational: the final status follows.
        if (statusCode >= 200) status = statusCode;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        resolve({ status, text: body.toString('utf8') });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}
