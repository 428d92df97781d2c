/**
 * The kit as a library (shared/design/ARCHITECTURE.md: "the library, exported
 * from src/index.ts"; the CLI is a thin shell over it). The package ships its
 * TypeScript source and runs it with tsx (no build step): import it from a
 * program run with tsx, or a bundler or TypeScript setup that loads .ts.
 */
export { certify, runConformance, type RunHooks, type RunOutcome } from './engine/run.ts';
export { optionsFromEnv, resolveOptions, RUN_OPTIONS, type RunOptions } from './engine/options.ts';
export { ConformanceError, ERRORS, type ErrorCode } from './errors.ts';
export { writeReports } from './report/write.ts';
export type { Report, Result } from './report/types.ts';
// cassettes (docs/cassette.md): the record format shared by everything that records traffic, and offline judging
export { judge, judgeCassette, type JudgeOverrides } from './cassette/judge.ts';
export { parseCassette, readCassette, CassetteWriter, type Cassette, type CassetteKind } from './cassette/file.ts';
export { fromRecord, toRecord, CASSETTE_VERSION, DEFAULT_BODY_CAP, type CassetteHeader, type ExchangeRecord } from './cassette/record.ts';
// the harness a run sends through (handed to RunHooks.onHarness), and the exchanges it hands its listeners
export type { Exchange, Harness } from './harness/http.ts';
// the export's CSV, streamed and judged against the order list (reference → state) as it comes
export { crossCheckCsv } from './engine/phases/export.ts';
// the client side: an integrator's own client, judged through the proxy or from a recording
export { startProxy, type ProxyOptions, type RunningProxy } from './proxy/server.ts';
export { TrafficJudge } from './proxy/judge.ts';
export { harToRecords, type Har } from './proxy/har.ts';
export { CassetteWriter as TrafficCassetteWriter, type ProxyCassetteHeader as TrafficCassetteHeader } from './proxy/cassette.ts';
export { sessionReports, writeSessionReports } from './proxy/report.ts';
// the contract: openapi.yaml loaded, its validators and its router
export { loadSpec as loadContract, loadSpec, parseSpec, deref, DEFAULT_SPEC_PATH, type Spec, type Operation, type Json, type JsonObject } from './contract/load.ts';
export { validatorsFor, SCHEMA_BASE, type Validators, type Violation } from './contract/validators.ts';
export { routerOf, type Router } from './contract/router.ts';
export { lifecycleOf, type Lifecycle } from './contract/lifecycle.ts';
// the checks: the catalogue (names, requirement IDs) and their modules
export { CHECKS, CLIENT_CHECKS, type CheckName } from './checks/catalog.ts';
export { CHECK_MODULES, MODULE_BY_NAME } from './checks/index.ts';
export { defineCheck, judgeEnv, type Check, type Finding, type Judgement, type JudgeEnv } from './checks/define.ts';
// redaction: what the kit uses to keep credentials out of everything it writes
export { Redactor, toCurl } from './harness/redact.ts';
