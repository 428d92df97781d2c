/**
 * Runs `verifyPacts` in a child process (contracts/command.ts): Pact's native
 * verifier writes its own coloured progress straight to the process's
 * standard output, past anything Node could filter. In a child, that output
 * is a pipe the parent reads and drops (its text is in the report), so no
 * ANSI colour reaches a file, a pipe or a NO_COLOR terminal.
 * Protocol: the options arrive as the first IPC message; the report (or
 * `{ error }`) is sent back; then the child exits.
 */
import { verifyPacts, type VerifyOptions } from './verify.ts';

process.once('message', (opts: VerifyOptions) => {
  verifyPacts(opts).then(
    (report) => process.send?.({ report }, () => process.exit(0)),
    (err: unknown) => process.send?.({ error: err instanceof Error ? err.message : String(err) }, () => process.exit(1)),
  );
});
