/** What the CLI gets from its host process (bin.ts gives the real ones; tests may give others). */
export interface CliIO {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  /**
   * Call `handler` on Ctrl-C (SIGINT) or SIGTERM; returns a function that stops listening. The
   * host decides what a second Ctrl-C does (the bin exits at once; the ledger is already on disk).
   */
  onInterrupt?: (handler: () => void) => () => void;
  /** Printed by --version. */
  version?: string;
}

/** Exit codes: 0 all good, 1 a video failed or a file is invalid, 2 usage or set-up error, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;
