/**
 * npm run pact:publish -- [options] [pact files…] — the same as
 * `conformance pact publish` (src/cli.ts, contracts/command.ts): nothing is
 * sent unless PACT_BROKER_BASE_URL is set.
 */
import { main } from '../src/cli.ts';

process.exitCode = await main(['pact', 'publish', ...process.argv.slice(2)]);
