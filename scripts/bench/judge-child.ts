/**
 * Child: `conformance judge` of a cassette (the cassette section's), timed.
 * Announces `@@RESULT {ms, verdict, requests, peakRss}`.
 */
import { judgeCassette } from '../../src/index.ts';
import { announce, childArgs, ownPeakRss } from './lib.ts';

const args = childArgs<{ cassette: string }>();
const t0 = performance.now();
const { report } = await judgeCassette(args.cassette);
announce('RESULT', { ms: performance.now() - t0, verdict: report.verdict, requests: report.summary.requests, incomplete: report.incomplete, peakRss: ownPeakRss() });
