import type { SqlClient, SqlOutcome } from '../../client/sql-client.js';

const PASSWORD = /PASSWORD\s+'((?:[^']|'')*)'/gi;

/** The passwords a statement carries, so an answer that echoes one never reaches the history. */
export function passwordsIn(sql: string): string[] {
  return [...sql.matchAll(PASSWORD)].map((match) => match[1]!).filter((password) => password.length > 0);
}

export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((clean, secret) => clean.split(secret).join('***'), text);
}

/** A client whose error answers carry no password of the statement they answer. */
export function withoutPasswords(client: SqlClient): SqlClient {
  return {
    baseUrl: client.baseUrl,
    login: () => client.login(),
    query: (sql, options) => client.query(sql, options),
    health: () => client.health(),
    close: () => client.close(),
    async execute(sql, options) {
      const outcome = await client.execute(sql, options);
      const secrets = passwordsIn(sql);
      if (secrets.length === 0) return outcome;
      return redactOutcome(outcome, secrets);
    },
  };
}

function redactOutcome(outcome: SqlOutcome, secrets: readonly string[]): SqlOutcome {
  switch (outcome.kind) {
    case 'success':
      return outcome;
    case 'error':
      return { ...outcome, message: redact(outcome.message, secrets) };
    case 'indeterminate':
    case 'refused':
      return { ...outcome, reason: redact(outcome.reason, secrets) };
  }
}
