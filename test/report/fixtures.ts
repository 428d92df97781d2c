/**
 * Fixture reports for the report writers: a passing run of the bundled
 * reference server and a failing run of a hostile staging server (errors,
 * warnings, skips, a fuzz counterexample, an illegal transition, run
 * problems, and a body excerpt that tries to run a script).
 */
import { CHECKS } from '../../src/checks/catalog.ts';
import { loadSpec } from '../../src/contract/load.ts';
import type { Evidence, Report, Result, Status } from '../../src/report/types.ts';
import { verdictOf } from '../../src/report/verdict.ts';

const spec = loadSpec();

export const HOSTILE_SCRIPT = '<script>window.__pwned = 1; alert(1)</script>';
export const HOSTILE_IMG = '<img src=x onerror="window.__pwned = 2">';

const STAGING = 'https://staging.fibre.example';
const curl = (method: string, path: string, extra = '') => `curl -sS -X ${method} '${STAGING}${path}' \\\n  -H "Authorization: Bearer $CONFORMANCE_TOKEN" \\\n  -H 'Accept: application/json'${extra}`;

/** One result, its requirement data (area, source, title, doc) read from the contract. */
function result(id: string, check: string, status: Status, more: Partial<Result> = {}): Result {
  const req = spec.requirements.get(id);
  if (!req) throw new Error(`fixture cites unknown requirement ${id}`);
  const failing = status === 'fail' || status === 'warn';
  return {
    id,
    check,
    title: req.title,
    area: req.area,
    source: req.source,
    severity: status === 'warn' || req.source === 'inferred' ? 'warning' : 'error',
    status,
    message: status === 'pass' ? `no violation in ${more.examined ?? 12} examined` : status === 'skip' ? 'skipped' : 'violation',
    examined: 12,
    violations: failing ? Math.max(1, more.evidence?.length ?? 1) : 0,
    evidence: [],
    doc: req.doc,
    durationMs: 40,
    ...more,
  };
}

function summarize(results: Result[], requests: number): Report['summary'] {
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  return {
    total: results.length,
    pass: count('pass'),
    fail: count('fail'),
    warn: count('warn'),
    skip: count('skip'),
    errors: results.filter((r) => r.status === 'fail' && r.severity === 'error').reduce((n, r) => n + r.violations, 0),
    warnings: results.filter((r) => r.status === 'warn' || (r.status === 'fail' && r.severity === 'warning')).reduce((n, r) => n + r.violations, 0),
    requests,
  };
}

const skipWrites = 'writes are not allowed against this target (pass --allow-writes to enable)';
const skipExport = 'the rate-limited export is not allowed against this target (pass --allow-export to enable)';

const latency: Report['observed']['latency'] = [
  { operationId: 'listOrders', count: 48, p50: 38, p95: 120, max: 310 },
  { operationId: 'getOrder', count: 160, p50: 22, p95: 71, max: 240 },
  { operationId: 'listOrderDocuments', count: 40, p50: 18, p95: 44, max: 95 },
  { operationId: 'downloadOrderDocument', count: 52, p50: 64, p95: 210, max: 880 },
  { operationId: 'getOrderHistory', count: 160, p50: 27, p95: 95, max: 10_000 },
  { operationId: 'listTerminateReasons', count: 4, p50: 9, p95: 12, max: 12 },
  { operationId: 'listOrderRequests', count: 22, p50: 31, p95: 88, max: 130 },
];

const steps = (missing: string[] = []): Report['observed']['productionSteps'] =>
  ['production_manager_assigned', 'optical_route_received', 'technical_visit_planned', 'technical_visit_completed', 'technical_visit_report_published', 'connexion_planned', 'connexion_completed', 'service_configured', 'service_controlled', 'delivery_report_published', 'intervention_report_published'].map(
    (step, i) => ({ step, count: missing.includes(step) ? 0 : 38 - i * 2 }),
  );

function base(): Omit<Report, 'results' | 'summary' | 'verdict' | 'verdictLabel' | 'complete' | 'notRun' | 'observed' | 'problems'> {
  return {
    writes: { dryRun: false, planned: [], sent: 0, blocked: [], created: [], disposable: [] },
    tool: { name: 'order-tracking-conformance', version: '0.1.0', suiteSha256: 'a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00' },
    target: { baseUrl: STAGING, embedded: false },
    profile: 'documented',
    spec: { path: 'openapi.yaml', sha256: spec.hash },
    seed: 424242,
    startedAt: '2025-06-02T14:03:11.000Z',
    finishedAt: '2025-06-02T14:04:02.500Z',
    durationMs: 51_500,
    options: { baseUrl: STAGING, profile: 'documented', allowWrites: false, allowExport: false, seed: 424242, fuzzRuns: 100, concurrency: 4 },
  };
}

/** The passing run: every documented check passes; the provider's own example's timestamps warn. */
export function passingReport(): Report {
  const results: Result[] = [
    result('AUTH-REQUIRED', 'auth_required', 'pass', { examined: 9 }),
    result('AUTH-TENANT', 'tenant_isolation', 'pass', { examined: 6 }),
    result('ORD-LIST-TYPES', 'order_list_schema', 'pass', { examined: 40 }),
    result('ORD-LIST-PAGING', 'order_list_paging', 'pass', { examined: 4 }),
    result('ORD-DETAIL-TYPES', 'order_detail_schema', 'pass', { examined: 40 }),
    result('ORD-STATE-ENUM', 'order_state_enum', 'pass', { examined: 40 }),
    result('ORD-NOT-FOUND', 'order_not_found', 'pass', { examined: 2 }),
    result('HIST-ORDER', 'history_order', 'pass', { examined: 40 }),
    result('HIST-VOCAB', 'history_vocabulary', 'pass', { examined: 40 }),
    result('HIST-TIME', 'history_time', 'warn', {
      examined: 40,
      violations: 1,
      message: 'expected timestamps that do not go backwards / received "intervention_report_published" at 18:37:10 before "active" at 18:37:08',
      evidence: [
        {
          method: 'GET',
          url: 'http://127.0.0.1:8080/api/v1/order/CMD_X_00009444/historic/',
          status: 200,
          pointer: '/results/14/change_date',
          value: '2025-04-23T18:37:08Z',
          expected: 'a change_date not earlier than 2025-04-23T18:37:10Z',
          received: '2025-04-23T18:37:08Z',
          note: "the documentation's own example has this order",
        },
      ],
    }),
    result('DOC-DOWNLOAD', 'document_download', 'pass', { examined: 52 }),
    result('DOC-TRAVERSAL', 'document_traversal', 'pass', { examined: 8 }),
    result('REQ-FILTER', 'order_request_filter', 'pass', { examined: 6 }),
    result('ACT-TERMINATE', 'terminate_from_active', 'skip', { skipReason: skipWrites, message: skipWrites, examined: 0 }),
    result('EXP-START', 'export_start', 'skip', { skipReason: skipExport, message: skipExport, examined: 0 }),
    result('EXP-NOT-FOUND', 'export_not_found', 'pass', { examined: 1 }),
    result('HTTP-NO-5XX', 'fuzz_no_5xx', 'pass', { examined: 300 }),
    result('HTTP-JSON', 'json_content_type', 'pass', { examined: 280 }),
  ];
  const summary = summarize(results, 512);
  return {
    ...base(),
    target: { baseUrl: 'http://127.0.0.1:8080', embedded: true },
    ...verdictOf(results, 0, undefined, undefined),
    summary,
    results,
    observed: {
      transitions: [
        { from: 'confirmed', to: 'in_progress', count: 40, legal: true },
        { from: 'in_progress', to: 'active', count: 31, legal: true },
        { from: 'in_progress', to: 'rejected', count: 3, legal: true },
        { from: 'in_progress', to: 'cancelled', count: 2, legal: true },
        { from: 'active', to: 'terminate_in_progress', count: 6, legal: true },
        { from: 'terminate_in_progress', to: 'terminated', count: 5, legal: true },
        { from: 'active', to: 'change_in_progress', count: 4, legal: true },
        { from: 'change_in_progress', to: 'active', count: 4, legal: true },
      ],
      productionSteps: steps(),
      states: { confirmed: 2, in_progress: 2, active: 20, change_in_progress: 0, terminate_in_progress: 1, terminated: 5, rejected: 3, cancelled: 2 },
      latency,
    },
    problems: [],
  };
}

const hostileBody = `{"detail":"${HOSTILE_SCRIPT}","product":{"commitment":12}}`;

/** The failing run of a staging server. */
export function failingReport(): Report {
  const tenant: Evidence = {
    method: 'GET',
    url: `${STAGING}/api/v1/order/CMD_OTHER_00000017/`,
    status: 200,
    expected: "403 or 404 (another customer's order)",
    received: "200 with the order's data",
    pointer: '/order_reference',
    value: 'CMD_OTHER_00000017',
    curl: curl('GET', '/api/v1/order/CMD_OTHER_00000017/'),
    responseHeaders: { 'content-type': 'application/json' },
    bodyExcerpt: '{"order_reference":"CMD_OTHER_00000017","state":"active","customer_name":"Another Customer SA"}',
    bodyBytes: 4120,
    bodySha256: '9f2b5c1d0e3a4b6c7d8e9f00112233445566778899aabbccddeeff0011223344',
    durationMs: 31,
  };
  const detail1: Evidence = {
    method: 'GET',
    url: `${STAGING}/api/v1/order/CMD_X_00009444/`,
    status: 200,
    pointer: '/product/commitment',
    value: 12,
    expected: 'string (e.g. "12MOIS")',
    received: 'number 12',
    curl: curl('GET', '/api/v1/order/CMD_X_00009444/'),
    responseHeaders: { 'content-type': 'application/json; charset=utf-8', 'x-debug': `"><svg onload=alert(3)>` },
    bodyExcerpt: hostileBody,
    bodyBytes: 5234,
    durationMs: 28,
  };
  const detail2: Evidence = {
    method: 'GET',
    url: `${STAGING}/api/v1/order/CMD_X_00009450/`,
    status: 200,
    pointer: '/vlan_reference',
    value: 'VLAN-12',
    expected: 'number or null',
    received: `string "VLAN-12" ${HOSTILE_IMG}`,
    curl: curl('GET', '/api/v1/order/CMD_X_00009450/'),
    durationMs: 25,
  };
  const history: Evidence = {
    method: 'GET',
    url: `${STAGING}/api/v1/order/CMD_X_00009461/historic/`,
    status: 200,
    pointer: '/results/9/state',
    value: 'active',
    expected: 'nothing after the terminal state "terminated"',
    received: '"active" follows "terminated"',
    curl: curl('GET', '/api/v1/order/CMD_X_00009461/historic/'),
    durationMs: 40,
  };
  const fuzzNotFound: Evidence = {
    method: 'GET',
    url: `${STAGING}/api/v1/order/%00%C3%A9%27/`,
    status: 500,
    expected: '404 (unknown order reference)',
    received: '500 Internal Server Error',
    curl: curl('GET', '/api/v1/order/%00%C3%A9%27/'),
    responseHeaders: { 'content-type': 'text/html' },
    bodyExcerpt: '<!doctype html><title>500</title><h1>Server Error</h1><script>alert("from the server")</script>',
    bodyBytes: 1893,
    durationMs: 112,
    fuzz: { seed: 424242, path: '3:1:0', numRuns: 100, shrunk: '"\\u0000é\'"' },
  };
  const fuzz: Evidence = {
    method: 'GET',
    url: `${STAGING}/api/v1/order_request/?action=%00%C3%A9%27&order_reference=`,
    status: 500,
    expected: 'any status but 5xx',
    received: '500 Internal Server Error',
    curl: curl('GET', '/api/v1/order_request/?action=%00%C3%A9%27&order_reference='),
    responseHeaders: { 'content-type': 'text/html' },
    bodyExcerpt: '<!doctype html><title>500</title><h1>Server Error</h1>',
    bodyBytes: 1893,
    durationMs: 97,
    fuzz: { seed: 424242, path: '7:0', numRuns: 100, shrunk: '{ "action": "\\u0000é\'", "order_reference": "" }' },
  };
  const results: Result[] = [
    result('AUTH-REQUIRED', 'auth_required', 'pass', { examined: 9 }),
    result('AUTH-TENANT', 'tenant_isolation', 'fail', {
      examined: 6,
      violations: 1,
      message: "expected 403 or 404 for another customer's order / received 200 with its data",
      evidence: [tenant],
    }),
    result('ORD-LIST-TYPES', 'order_list_schema', 'pass', { examined: 40 }),
    result('ORD-LIST-PAGING', 'order_list_paging', 'warn', {
      examined: 4,
      violations: 1,
      message: 'expected pages without duplicates / received CMD_X_00009444 on pages 1 and 2',
      evidence: [{ method: 'GET', url: `${STAGING}/api/v1/order/?page=2`, status: 200, pointer: '/results/0/order_reference', value: 'CMD_X_00009444', curl: curl('GET', '/api/v1/order/?page=2') }],
    }),
    result('ORD-DETAIL-TYPES', 'order_detail_schema', 'fail', {
      examined: 40,
      violations: 7,
      message: 'expected /product/commitment to be a string / received number 12 (and 6 more violations)',
      evidence: [detail1, detail2],
    }),
    result('ORD-STATE-ENUM', 'order_state_enum', 'pass', { examined: 40 }),
    result('ORD-NOT-FOUND', 'order_not_found', 'fail', {
      examined: 102,
      violations: 1,
      message: 'expected 404 for an unknown order reference / received 500 for the fuzzed reference "\\u0000é\'"',
      evidence: [fuzzNotFound],
    }),
    result('HIST-ORDER', 'history_order', 'fail', {
      examined: 40,
      violations: 1,
      message: 'expected a legal path / received "active" after the terminal state "terminated"',
      evidence: [history],
    }),
    result('HIST-VOCAB', 'history_vocabulary', 'pass', { examined: 40 }),
    result('HIST-STEPS', 'history_steps', 'warn', {
      examined: 31,
      violations: 3,
      message: 'expected every production step before "active" / received no "service_controlled" in 3 histories',
      evidence: [{ method: 'GET', url: `${STAGING}/api/v1/order/CMD_X_00009452/historic/`, status: 200, note: 'production steps not reported: service_controlled' }],
    }),
    result('HIST-TIME', 'history_time', 'warn', {
      examined: 40,
      violations: 1,
      message: 'expected timestamps that do not go backwards / received "intervention_report_published" at 18:37:10 before "active" at 18:37:08',
      evidence: [{ method: 'GET', url: `${STAGING}/api/v1/order/CMD_X_00009444/historic/`, status: 200, pointer: '/results/14/change_date', value: '2025-04-23T18:37:08Z' }],
    }),
    result('DOC-DOWNLOAD', 'document_download', 'pass', { examined: 52 }),
    result('DOC-TRAVERSAL', 'document_traversal', 'pass', { examined: 8 }),
    result('REQ-FILTER', 'order_request_filter', 'pass', { examined: 6 }),
    result('ACT-TERMINATE', 'terminate_from_active', 'skip', { skipReason: skipWrites, message: skipWrites, examined: 0 }),
    result('EXP-START', 'export_start', 'skip', { skipReason: skipExport, message: skipExport, examined: 0 }),
    result('HTTP-NO-5XX', 'fuzz_no_5xx', 'warn', {
      examined: 300,
      violations: 1,
      message: 'expected no 5xx for any input / received 500 for GET /api/v1/order_request/ with action="\\u0000é\'"',
      evidence: [fuzz],
    }),
    result('HTTP-JSON', 'json_content_type', 'warn', {
      examined: 280,
      violations: 1,
      message: 'expected application/json / received text/html',
      evidence: [{ method: 'GET', url: fuzz.url, status: 500, responseHeaders: { 'content-type': 'text/html' }, expected: 'application/json', received: 'text/html' }],
    }),
  ];
  const summary = summarize(results, 486);
  return {
    ...base(),
    ...verdictOf(results, summary.errors, undefined, undefined),
    summary,
    results,
    observed: {
      transitions: [
        { from: 'confirmed', to: 'in_progress', count: 38, legal: true },
        { from: 'in_progress', to: 'active', count: 29, legal: true },
        { from: 'in_progress', to: 'rejected', count: 3, legal: true },
        { from: 'in_progress', to: 'cancelled', count: 2, legal: true },
        { from: 'active', to: 'terminate_in_progress', count: 6, legal: true },
        { from: 'terminate_in_progress', to: 'terminated', count: 5, legal: true },
        { from: 'terminated', to: 'active', count: 1, legal: false },
        { from: 'confirmed', to: 'active', count: 2, legal: false },
      ],
      productionSteps: steps(['service_controlled']),
      states: { confirmed: 2, in_progress: 4, active: 22, change_in_progress: 0, terminate_in_progress: 1, terminated: 4, rejected: 3, cancelled: 2 },
      latency,
    },
    problems: ['3 requests to getOrderHistory timed out after 10000 ms', 'request budget reached (2000 requests): 14 orders were not examined'],
  };
}

/**
 * One corrupted field, six failed checks (issue 18): a staging whose order
 * details spell one state `actve`. Every check of the catalogue ran; six of
 * them fail on the same five exchanges, at the same pointer with the same
 * value, each with five findings, a 600-character body excerpt and a curl.
 */
export function sixFailuresReport(): Report {
  const refs = ['CMD_X_00000051', 'CMD_X_00000052', 'CMD_X_00000053', 'CMD_X_00000054', 'CMD_X_00000055'];
  const body = (ref: string) => JSON.stringify({ order_reference: ref, state: 'actve', offer_family: 'BPE', product: { commitment: '12MOIS', bandwidth_guarantee: 'G' }, notes: 'x'.repeat(500) }).slice(0, 600);
  const detail = (ref: string): Evidence => ({
    method: 'GET',
    url: `${STAGING}/api/v1/order/${ref}/`,
    status: 200,
    pointer: '/state',
    value: 'actve',
    expected: 'one of "confirmed", "in_progress", "active", "change_in_progress", "terminate_in_progress", "terminated", "rejected", "cancelled"',
    received: '"actve"',
    curl: curl('GET', `/api/v1/order/${ref}/`),
    responseHeaders: { 'content-type': 'application/json' },
    bodyExcerpt: body(ref),
    bodyBytes: 2210,
    bodySha256: `${ref.slice(-2)}${'ab'.repeat(31)}`,
    durationMs: 31,
  });
  const failing: Record<string, string> = {
    order_detail_schema: '/state: expected one of the 8 order states / received "actve"',
    order_state_enum: 'order CMD_X_00000051: expected one of the 8 order states / received "actve"',
    state_consistency: 'order CMD_X_00000051: the list says "active", the detail says "actve"',
    history_order: 'order CMD_X_00000051: the last history entry "active" does not lead to "actve"',
    export_content: 'order CMD_X_00000051: the export says "active", the detail says "actve"',
    terminate_active: 'no active order to terminate: the order the run created reads "actve"',
  };
  const results: Result[] = CHECKS.map((c) => {
    const message = failing[c.name];
    if (!message) return result(c.requirement, c.name, 'pass', { examined: 12 });
    return result(c.requirement, c.name, 'fail', { message: `${message} (and 4 more)`, violations: 5, severity: 'error', evidence: refs.map(detail) });
  });
  const summary = summarize(results, 913);
  return {
    ...base(),
    ...verdictOf(results, summary.errors, undefined, undefined),
    summary,
    results,
    observed: passingReport().observed,
    problems: [],
  };
}
