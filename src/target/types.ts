export type AuthMode = 'bearer' | 'basic';

/** Root credentials for one run. Never written to history, logs or reports. */
export interface Credentials {
  readonly user: string;
  readonly password: string;
  readonly jwtSecret: string;
}

/** Exactly what to execute for one incarnation of a server. */
export interface LaunchPlan {
  readonly command: string;
  readonly args: readonly string[];
  /** Environment added to the harness's own; may hold secrets, so never logged. */
  readonly env: Readonly<Record<string, string>>;
  readonly host: string;
  readonly port: number;
  /** Folder where the server writes its own log files (KalamDB's logs_path), if any. */
  readonly serverLogsDir?: string;
}

export interface Incarnation {
  /** 0 for the first start, then 1, 2, ... for each restart. */
  readonly index: number;
  /** The folder in the run directory that holds this incarnation's files. */
  readonly dir: string;
  readonly port: number;
}

/** A kind of server the harness knows how to launch on a data directory it owns. */
export interface Target {
  readonly kind: TargetKind;
  readonly auth: AuthMode;
  readonly credentials: Credentials;
  readonly dataDir: string;
  plan(incarnation: Incarnation): Promise<LaunchPlan>;
  /** What a report may say about this target: no secrets. */
  describe(): TargetDescription;
}

export type TargetKind = 'reference' | 'kalamdb';

export interface TargetDescription {
  readonly kind: TargetKind;
  readonly command: string;
  readonly auth: AuthMode;
  readonly dataDir: string;
  readonly [detail: string]: unknown;
}
