/**
 * Every error the kit itself raises, in one table (after fastify's error codes):
 * a stable code a user can search for, a message template, and the exit status
 * of the command that meets it. `test/errors.test.ts` pins that each key equals
 * its code and that every code is documented in docs/errors.md.
 */

export const ERRORS = {
  CONF_ERR_BAD_OPTION: { exit: 2, message: 'Invalid option: %s' },
  CONF_ERR_UNREACHABLE: { exit: 2, message: 'The target cannot be reached: %s' },
  CONF_ERR_SPEC_LOAD: { exit: 2, message: 'The contract could not be loaded: %s' },
  CONF_ERR_SPEC_INVALID: { exit: 2, message: 'The contract is not usable: %s' },
  CONF_ERR_REPORT_WRITE: { exit: 2, message: 'The reports could not be written: %s' },
  CONF_ERR_REPORT_DIR: { exit: 2, message: 'The report directory cannot be used: %s' },
  CONF_ERR_CREDENTIALS: { exit: 2, message: 'Could not certify, the credentials were refused: %s' },
  CONF_ERR_TLS: { exit: 2, message: 'Could not certify, TLS failed: %s' },
  CONF_ERR_NO_API: { exit: 2, message: 'Could not certify, no API at the base URL: %s' },
  CONF_ERR_BUDGET: { exit: 2, message: 'Could not certify, the request budget was spent: %s' },
  CONF_ERR_BAD_REPORT: { exit: 2, message: 'Not a conformance report: %s' },
  CONF_ERR_MOCK_START: { exit: 2, message: 'The reference server could not start: %s' },
  CONF_ERR_RUN_TIME_LIMIT: { exit: 2, message: 'The run reached its time limit before its checks were done: %s' },
  CONF_ERR_RETRY_AFTER_LIMIT: { exit: 2, message: 'The target asked to wait longer than the run may: %s' },
  CONF_ERR_TOKEN_COMMAND: { exit: 2, message: 'Could not certify, --token-command gave no token: %s' },
  CONF_ERR_OAUTH: { exit: 2, message: 'Could not certify, the OAuth2 token endpoint gave no token: %s' },
  CONF_ERR_INTERRUPTED: { exit: 2, message: 'The run was interrupted: %s' },
  CONF_ERR_CASSETTE: { exit: 2, message: 'The cassette cannot be used: %s' },
  CONF_ERR_MERGE: { exit: 2, message: 'The shards cannot be merged: %s' },
  CONF_ERR_PROXY_START: { exit: 2, message: 'The proxy could not start: %s' },
  CONF_ERR_INTERNAL: { exit: 2, message: 'Internal error (please report it): %s' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class ConformanceError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, detail: string, options?: { cause?: unknown }) {
    // a replacer function: a detail holding `$&`, `$'` or `$$` is kept as given
    super(
      ERRORS[code].message.replace('%s', () => detail),
      options,
    );
    this.name = 'ConformanceError';
    this.code = code;
    this.exitCode = ERRORS[code].exit;
  }
}

/** Turns anything thrown into a ConformanceError, without a stack trace for the user. */
export function asConformanceError(err: unknown): ConformanceError {
  if (err instanceof ConformanceError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ConformanceError('CONF_ERR_INTERNAL', detail, { cause: err });
}
