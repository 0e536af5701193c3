import type { Answer, CheckContext } from '../../types.js';

/** The columns of SUBSCRIBE TO's answer (measured on 0.4.3-rc.4). */
export const SUBSCRIBE_COLUMNS = ['status', 'ws_url', 'subscription', 'message'];

/**
 * Judges a SUBSCRIBE TO answer: one row, status `active`, a subscription whose id names the table
 * (`sub-<namespace>-<table>-...`) and whose SQL is the SELECT the server will run. True when it held.
 */
export function expectSubscription(ctx: CheckContext, answer: Answer, what: string, expected: { namespace: string; table: string; sql: string }): boolean {
  const fail = (text: string) => {
    ctx.problem(`${what}: ${text}`);
    return false;
  };
  if (answer.kind !== 'success') return fail(`expected a subscription, got ${answer.kind}: ${answer.code ?? ''} ${answer.message ?? answer.reason ?? ''}`.trim());
  if (JSON.stringify(answer.columns) !== JSON.stringify(SUBSCRIBE_COLUMNS)) return fail(`expected the columns ${SUBSCRIBE_COLUMNS.join(', ')}, got ${JSON.stringify(answer.columns)}`);
  const row = answer.rows?.[0];
  if (answer.rows?.length !== 1 || !row) return fail(`expected one row, got ${answer.rows?.length ?? 0}`);
  const [status, wsUrl, subscription] = row as [unknown, unknown, { id?: unknown; sql?: unknown } | undefined];
  if (status !== 'active') return fail(`expected status "active", got ${JSON.stringify(status)}`);
  if (typeof wsUrl !== 'string' || !/^wss?:\/\//.test(wsUrl)) return fail(`expected a ws:// URL, got ${JSON.stringify(wsUrl)}`);
  const prefix = `sub-${expected.namespace}-${expected.table}-`;
  if (typeof subscription?.id !== 'string' || !subscription.id.startsWith(prefix)) return fail(`expected a subscription id starting ${prefix}, got ${JSON.stringify(subscription?.id)}`);
  if (subscription.sql !== expected.sql) return fail(`expected the subscription's SQL ${JSON.stringify(expected.sql)}, got ${JSON.stringify(subscription.sql)}`);
  return true;
}
