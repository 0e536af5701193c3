import { UsageError } from '../nemesis/options.js';
import { concurrentClients } from './checks/backpressure/concurrent-clients.js';
import { hundredRowInsert } from './checks/backpressure/hundred-row-insert.js';
import { largeResult } from './checks/backpressure/large-result.js';
import { largeStrings } from './checks/backpressure/large-strings.js';
import { rapidInserts } from './checks/backpressure/rapid-inserts.js';
import { rapidUpdates } from './checks/backpressure/rapid-updates.js';
import { wideTable } from './checks/backpressure/wide-table.js';
import { concurrentQueriesWhileStarting } from './checks/startup/concurrent-queries-while-starting.js';
import { defaultConfigStarts } from './checks/startup/default-config-starts.js';
import { dropNamespace } from './checks/startup/drop-namespace.js';
import { invalidFlushPolicy } from './checks/startup/invalid-flush-policy.js';
import { invalidNamespaceName } from './checks/startup/invalid-namespace-name.js';
import { invalidTtl } from './checks/startup/invalid-ttl.js';
import { readinessSystemTables } from './checks/startup/readiness-system-tables.js';
import { severalNamespaces } from './checks/startup/several-namespaces.js';
import { systemTableSchemas } from './checks/startup/system-table-schemas.js';
import { tableWithoutPrimaryKey } from './checks/startup/table-without-primary-key.js';
import { unknownTableType } from './checks/startup/unknown-table-type.js';
import { alterSystemTable } from './checks/validation/alter-system-table.js';
import { createUserWithoutPermission } from './checks/validation/create-user-without-permission.js';
import { dropMissingTable } from './checks/validation/drop-missing-table.js';
import { dropPrimaryKeyColumn } from './checks/validation/drop-primary-key-column.js';
import { dropSystemColumn } from './checks/validation/drop-system-column.js';
import { duplicateColumns } from './checks/validation/duplicate-columns.js';
import { flushStreamTable } from './checks/validation/flush-stream-table.js';
import { notNull } from './checks/validation/not-null.js';
import { sharedTableAccessLevel } from './checks/validation/shared-table-access-level.js';
import { syntaxErrorMessage } from './checks/validation/syntax-error-message.js';
import { typeMismatch } from './checks/validation/type-mismatch.js';
import { unqualifiedFlush } from './checks/validation/unqualified-flush.js';
import { userTableIsolation } from './checks/validation/user-table-isolation.js';
import { subscribeForms } from './checks/subscriptions/subscribe-forms.js';
import { subscribeTableTypes } from './checks/subscriptions/table-types.js';
import { subscribeBadSyntax } from './checks/subscriptions/bad-syntax.js';
import { subscribeMissingTargets } from './checks/subscriptions/missing-targets.js';
import { systemLive } from './checks/subscriptions/system-live.js';
import { cliExitCodes } from './checks/cli/exit-codes.js';
import { cliFileBatch } from './checks/cli/file-batch.js';
import { cliCommonMistakes } from './checks/cli/common-mistakes.js';
import { cliIfNotExists } from './checks/cli/if-not-exists.js';
import { cliResults } from './checks/cli/results.js';
import { cliFormats } from './checks/cli/formats.js';
import { cliMetaCommands } from './checks/cli/meta-commands.js';
import { cliInteractiveAfterError, cliInteractiveCtrlC } from './checks/cli/interactive.js';
import { SUITE_CATEGORIES, type SuiteCategory, type SuiteCheck } from './types.js';

/** Every check, one line each, in the order they run. */
export const SUITE_CHECKS: readonly SuiteCheck[] = [
  defaultConfigStarts,
  readinessSystemTables,
  severalNamespaces,
  concurrentQueriesWhileStarting,
  invalidNamespaceName,
  invalidFlushPolicy,
  invalidTtl,
  tableWithoutPrimaryKey,
  unknownTableType,
  systemTableSchemas,
  dropNamespace,
  syntaxErrorMessage,
  flushStreamTable,
  alterSystemTable,
  dropSystemColumn,
  dropPrimaryKeyColumn,
  userTableIsolation,
  sharedTableAccessLevel,
  typeMismatch,
  notNull,
  createUserWithoutPermission,
  unqualifiedFlush,
  dropMissingTable,
  duplicateColumns,
  hundredRowInsert,
  largeStrings,
  concurrentClients,
  rapidInserts,
  wideTable,
  rapidUpdates,
  largeResult,
  subscribeForms,
  subscribeTableTypes,
  subscribeBadSyntax,
  subscribeMissingTargets,
  systemLive,
  cliExitCodes,
  cliFileBatch,
  cliCommonMistakes,
  cliIfNotExists,
  cliResults,
  cliFormats,
  cliMetaCommands,
  cliInteractiveAfterError,
  cliInteractiveCtrlC,
];

export function isSuiteCategory(name: string): name is SuiteCategory {
  return (SUITE_CATEGORIES as readonly string[]).includes(name);
}

/** The checks of the named categories (all when none is named); an unknown name is a usage error. */
export function checksOf(categories: readonly string[]): SuiteCheck[] {
  for (const name of categories) {
    if (!isSuiteCategory(name)) throw new UsageError(`unknown suite category "${name}"; known categories: ${SUITE_CATEGORIES.join(', ')}`);
  }
  const wanted = new Set(categories.length > 0 ? categories : SUITE_CATEGORIES);
  return SUITE_CHECKS.filter((check) => wanted.has(check.category));
}
