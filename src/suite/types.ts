/**
 * The suite's vocabulary: a check is one black-box rule about a KalamDB server, judged from the
 * answers to the statements it sends. Every statement and answer is kept as evidence.
 */
import type { Versioned } from './versioned.js';

export const SUITE_CATEGORIES = ['startup', 'validation', 'backpressure', 'subscriptions', 'cli'] as const;
export type SuiteCategory = (typeof SUITE_CATEGORIES)[number];

/** What the server said to one statement (or HTTP request), as the suite records it. */
export interface Answer {
  /** `refused`: no connection; `indeterminate`: the connection broke or timed out; `thrown`: the tool could not send it. */
  readonly kind: 'success' | 'error' | 'indeterminate' | 'refused';
  readonly httpStatus?: number;
  readonly code?: string;
  readonly message?: string;
  /** Success: the last statement's result. */
  readonly rowCount?: number;
  readonly columns?: readonly string[];
  /** At most {@link MAX_EVIDENCE_ROWS} rows. */
  readonly rows?: readonly (readonly unknown[])[];
  /** Why an indeterminate or refused request got no answer. */
  readonly reason?: string;
  /** A CLI process: its exit code and what it printed (plain text, clipped). */
  readonly exitCode?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  /** Milliseconds from send to answer, measured by the tool. */
  readonly ms: number;
}

export const MAX_EVIDENCE_ROWS = 20;

export interface Evidence {
  /** The statement as sent (passwords blanked), or `GET /health`. */
  readonly statement: string;
  /** Whose session sent it: root unless a check logged in as another user. */
  readonly session: string;
  readonly answer: Answer;
  /** Cleanup after the check: recorded, never judged. */
  readonly cleanup?: boolean;
  /** Bulk traffic: how many requests got this same answer (the answer shown is the first). */
  readonly repeated?: number;
}

/** How the answer to a statement must look. A RegExp is matched against the message. */
export type AnswerExpectation =
  | { readonly outcome: 'success'; readonly message?: RegExp; readonly rows?: readonly (readonly unknown[])[] }
  | { readonly outcome: 'error'; readonly code?: string; readonly message?: RegExp };

/** A plain expectation, or one that depends on the server version (seed plan vs HEAD). */
export type Expectation = AnswerExpectation | Versioned<AnswerExpectation>;

export type CheckOutcome = 'pass' | 'fail' | 'skipped' | 'error';

export interface CheckVerdict {
  readonly id: string;
  readonly category: SuiteCategory;
  readonly expectation: string;
  readonly outcome: CheckOutcome;
  /** Which expectations applied: `seed`, a version prefix such as `0.4.3`, or absent when none is versioned. */
  readonly expectedFor?: readonly string[];
  /** Where this check's statements or expectations differ from the seed plan (each versioned value's `why`). */
  readonly differences?: readonly string[];
  /** Each way the server's answers broke the rule (empty when it passed). */
  readonly problems: readonly string[];
  /** Why the check did not run, or the tool's own error. */
  readonly reason?: string;
  readonly evidence: readonly Evidence[];
  readonly figures?: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

/** A user account a check logs in as (created once per suite run). */
export interface SuiteUser {
  readonly id: string;
  /** Sends SQL with this user's own login. */
  sql(statement: string): Promise<Answer>;
}

/** One run of the kalam CLI as a process. */
export interface CliRun {
  /** How it shows in the evidence: `kalam` and the check's arguments (not the URL, config or credentials). */
  readonly command: string;
  /** Undefined when a signal ended it. */
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  /** As printed (escape sequences included under a pseudo-terminal; see cli-output.ts). */
  readonly stdout: string;
  readonly stderr: string;
  /** The tool killed it at its deadline (or an interactive step never got its answer). */
  readonly timedOut: boolean;
  /** Interactive: how many steps got the answer they waited for. */
  readonly stepsAnswered?: number;
  readonly ms: number;
}

export interface CliRunOptions {
  readonly url?: string;
  readonly anonymous?: boolean;
}

/** What an interactive session types, and what it waits for before the next step. */
export interface InteractiveStep {
  readonly send: string;
  /** `prompt`: a new prompt after a line break; `echo`: anything printed; `exit`: the CLI exits. */
  readonly then: 'prompt' | 'echo' | 'exit';
}

/** The kalam CLI, logged in as root on the server under test. */
export interface KalamCli {
  /** `kalam -u URL --config TMP ... ARGS`, stdin closed; `url` points it elsewhere, `anonymous` gives it no credentials. */
  run(args: readonly string[], options?: CliRunOptions): Promise<CliRun>;
  /** The CLI interactive under a pseudo-terminal: waits for its prompt, then types each step. */
  interactive(steps: readonly InteractiveStep[]): Promise<CliRun>;
  /** Writes a file in the CLI's temporary folder (for `-f`); returns its path. */
  writeFile(name: string, content: string): Promise<string>;
}

/** A server the check started itself, on its own data directory, not yet ready. */
export interface FreshServer {
  readonly baseUrl: string;
  /** Milliseconds since the process was spawned. */
  sinceSpawnMs(): number;
  hasExited(): boolean;
  /** A root session on it (logs in on first use). */
  sql(statement: string): Promise<Answer>;
  health(): Promise<Answer>;
  /** Logs in once; throws while the server cannot be reached. */
  login(): Promise<void>;
}

export interface CheckContext {
  /** The server version /health named, if any. */
  readonly version: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** A name unique to this suite run: `kcs_<base>_<nonce>` (namespaces, tables). */
  name(base: string): string;
  /** Sends one statement as root (or `EXECUTE AS USER`), records it and its answer. */
  sql(statement: string, options?: { asUser?: string }): Promise<Answer>;
  /** Sends a statement as root without recording it; returns the answer (bulk traffic, figures). */
  sqlUnrecorded(statement: string): Promise<Answer>;
  /** Records evidence gathered another way (a summary of bulk traffic, a fresh server's answers). */
  record(evidence: Evidence): void;
  health(): Promise<Answer>;
  /** Checks an answer against an expectation; a mismatch becomes a problem. True when it matched. */
  expect(answer: Answer, expectation: Expectation, what: string): boolean;
  /** Like expect, but a mismatch ends the check (a setup step the rest depends on). */
  require(answer: Answer, expectation: Expectation, what: string): void;
  /** The value for this server's version. */
  pick<T>(value: T | Versioned<T>): T;
  /** Notes a way the server broke the rule. */
  problem(text: string): void;
  figure(name: string, value: number): void;
  /** A user with role `user`, created (once per suite run) and logged in. */
  user(label: string): Promise<SuiteUser>;
  /** Starts a server of the same target on a new data directory; undefined when the runner cannot. */
  readonly launchFresh?: () => Promise<FreshServer>;
  /** The kalam CLI (checks that need `cli`); every run is recorded as evidence. */
  readonly cli?: KalamCli;
  /** Runs at the end of the check, whatever happened; its statements are recorded as cleanup. */
  cleanup(statement: string): void;
}

export interface SuiteCheck {
  /** `<category>/<name>`, e.g. `startup/invalid-namespace-name`. */
  readonly id: string;
  readonly category: SuiteCategory;
  /** One line: what the server must do. */
  readonly expectation: string;
  /** `fresh-server`: the check starts servers of its own; `cli`: it runs the kalam CLI (skipped when the runner cannot). */
  readonly needs?: readonly ('fresh-server' | 'cli')[];
  run(ctx: CheckContext): Promise<void>;
}

export type SuiteVerdict = 'pass' | 'fail' | 'error' | 'interrupted';

/** result.json of a suite run. */
export interface SuiteResult {
  readonly schemaVersion: 1;
  readonly kind: 'suite';
  readonly tool: { readonly name: 'kalam-chaos'; readonly version: string };
  readonly categories: readonly SuiteCategory[];
  /** Fixes the names the checks create (namespaces, users) and nothing else. */
  readonly seed: number;
  readonly verdict: SuiteVerdict;
  readonly exitCode: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** What was tested (never a secret): kind, command, auth, data directory, defects. */
  readonly target: Readonly<Record<string, unknown>>;
  readonly server: { readonly version?: string; readonly readyMs?: number };
  readonly totals: Readonly<Record<CheckOutcome, number>>;
  readonly checks: readonly CheckVerdict[];
  /** The tool could not go on (the server did not start, the run folder is not writable...). */
  readonly error?: { readonly step: string; readonly message: string };
  readonly files: { readonly history: string; readonly servers: readonly string[] };
}
