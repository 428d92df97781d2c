/**
 * npm run pact:verify -- [options] [pact files…] — the same as
 * `conformance pact verify` (src/cli.ts, contracts/command.ts): exit 0
 * verified, 1 a failure or pending interactions (PARTIAL; --allow-pending
 * accepts it), 2 could not verify (CONF_ERR_ code, no stack trace).
 */
import { main } from '../src/cli.ts';

process.exitCode = await main(['pact', 'verify', ...process.argv.slice(2)]);
