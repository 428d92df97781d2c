/**
 * npm run pact:publish -- [--consumer-version V] [--branch B] [--skip-spec-check] [pact files…]
 *
 * Publishes the pinned pacts (contracts/pacts/) to a Pact Broker when
 * PACT_BROKER_BASE_URL is set (token: PACT_BROKER_TOKEN). Without it, nothing
 * is sent: the command prints what it would send and the equivalent
 * `pact-broker publish` command. A pact the spec does not promise is not
 * published (see contracts/pact-vs-spec.ts) unless --skip-spec-check.
 * Exit: 0 published or nothing to do, 1 spec problems or broker refusal, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { pactTelemetryOff } from '../contracts/config.ts';
import { checkPactFiles, pactFiles } from '../contracts/pact-vs-spec.ts';
import { publishPacts } from '../contracts/publish.ts';

pactTelemetryOff();

const HELP = `Usage: npm run pact:publish -- [options] [pact files…]
  --consumer-version V   version to publish under (default: $PACT_CONSUMER_VERSION, else the git commit)
  --branch B             consumer branch (default: $PACT_CONSUMER_BRANCH, else the current git branch)
  --skip-spec-check      publish even if the pact-vs-spec check finds problems
  -h, --help             this help
Environment: PACT_BROKER_BASE_URL (nothing is sent without it), PACT_BROKER_TOKEN
             (or PACT_BROKER_USERNAME / PACT_BROKER_PASSWORD).`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        'consumer-version': { type: 'string' },
        branch: { type: 'string' },
        'skip-spec-check': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.values.help) {
    console.log(HELP);
    return 0;
  }
  const files = pactFiles(args.positionals);
  if (files.length === 0) {
    console.error('no pact files found in contracts/pacts/ (run the consumer tests first)');
    return 2;
  }
  const errors = checkPactFiles(files);
  if (errors > 0 && !args.values['skip-spec-check']) {
    console.error(`not published: ${errors} interaction problem(s) against openapi.yaml (see above; --skip-spec-check to publish anyway)`);
    return 1;
  }
  try {
    await publishPacts({ files, consumerVersion: args.values['consumer-version'], branch: args.values.branch });
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}

process.exitCode = await main();
