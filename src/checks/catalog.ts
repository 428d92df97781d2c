/**
 * Every check, registered in one place (after Schemathesis): its stable name
 * is at once its CLI selector (`--checks`), its key in the reports and its
 * heading in the docs; the requirement ID travels with it. Titles and sources
 * come from `x-requirements` in openapi.yaml.
 */

export type CheckNeed = 'writes' | 'export' | 'otherTenant' | 'otherUser' | 'fuzz';

/** whose behaviour a check judges: the provider's answers (a run's checks) or an integrator's client requests (the proxy, `judge`) */
export type CheckSide = 'provider' | 'client';

export interface CheckDef {
  name: string;
  requirement: string;
  /** what the check does, in the present tense */
  does: string;
  needs?: CheckNeed[];
  /** absent: a provider check, run and reported by `conformance run` */
  side?: CheckSide;
}

/** The provider's checks: what `conformance run` runs, reports and counts. */
export const CHECKS = [
  // access
  { name: 'auth_missing_credentials', requirement: 'AUTH-REQUIRED', does: 'calls every read endpoint with no credentials and expects 401' },
  { name: 'auth_invalid_credentials', requirement: 'AUTH-REQUIRED', does: 'calls every read endpoint with a made-up token and expects 401' },
  { name: 'tenant_isolation', requirement: 'AUTH-TENANT', does: "reads the orders, histories, documents, files and export of one customer with another customer's token and expects 403 or 404 and none of the data", needs: ['otherTenant'] },
  // orders
  { name: 'order_list_schema', requirement: 'ORD-LIST-TYPES', does: 'validates every item of every list page against OrderSummary' },
  { name: 'order_list_paging', requirement: 'ORD-LIST-PAGING', does: 'walks the list pages and expects no duplicate, no gap, and a count that matches' },
  { name: 'order_state_enum', requirement: 'ORD-STATE-ENUM', does: 'expects every state in the list and the details to be one of the 8 order states' },
  { name: 'order_detail_schema', requirement: 'ORD-DETAIL-TYPES', does: 'validates each sampled order detail against OrderDetail' },
  { name: 'order_not_found', requirement: 'ORD-NOT-FOUND', does: 'asks for an order that does not exist (detail, history, documents) and expects 404' },
  { name: 'state_consistency', requirement: 'ORD-CONSISTENT', does: 'compares the state of the list, the detail and the last history entry of each sampled order' },
  // lifecycle
  { name: 'history_schema', requirement: 'HIST-TYPES', does: 'validates each history against OrderHistory' },
  { name: 'history_vocabulary', requirement: 'HIST-VOCAB', does: 'expects every history state to belong to the known vocabulary' },
  { name: 'history_order', requirement: 'HIST-ORDER', does: 'judges the list order of each history against the lifecycle transitions and production steps' },
  { name: 'history_timestamps', requirement: 'HIST-TIME', does: 'expects history timestamps never to go backwards' },
  { name: 'history_steps', requirement: 'HIST-STEPS', does: 'expects an order leaving production to have reported every production step' },
  // documents
  { name: 'documents_schema', requirement: 'DOC-LIST', does: 'validates each documents list against [DocumentGroup]' },
  { name: 'document_download', requirement: 'DOC-DOWNLOAD', does: 'downloads every listed file of the sampled orders and expects a non-empty body of a plausible type' },
  { name: 'document_not_found', requirement: 'DOC-NOT-FOUND', does: 'downloads a file name that is not listed and expects 404' },
  { name: 'document_traversal', requirement: 'DOC-TRAVERSAL', does: "sends traversal-shaped file names and expects a 4xx refusal (400, 403, 404 or a framework's own 4xx), never a 2xx or a redirect and never another file's bytes" },
  // reference data and requests
  { name: 'terminate_reasons_schema', requirement: 'REASONS-TYPES', does: 'validates the termination reasons against TerminateReasons' },
  { name: 'order_requests_schema', requirement: 'REQ-TYPES', does: 'validates every order request against OrderRequest' },
  { name: 'order_requests_filter', requirement: 'REQ-FILTER', does: 'filters the order requests by order_reference and by action and expects every row to match and none to be lost' },
  // writes
  { name: 'product_order_status', requirement: 'PO-STATUS', does: 'creates a product order and follows its item status through phase 1', needs: ['writes'] },
  { name: 'terminate_active', requirement: 'ACT-TERMINATE', does: 'terminates an active order with a listed reason and expects it accepted, recorded as an order request and in the history', needs: ['writes'] },
  { name: 'action_precondition', requirement: 'ACT-PRECONDITION', does: 'requests a termination of an order that is not active and expects a 4xx and no change', needs: ['writes'] },
  { name: 'action_invalid_body', requirement: 'ACT-INVALID-BODY', does: 'sends invalid termination bodies and expects a 4xx and no change', needs: ['writes'] },
  // export
  { name: 'export_start', requirement: 'EXP-START', does: 'starts an export and expects a 2xx with a uuid task_id (202 in the strict profile)', needs: ['export'] },
  { name: 'export_status', requirement: 'EXP-STATUS', does: 'polls the export status with a deadline and expects the documented shape and a final value', needs: ['export'] },
  { name: 'export_download', requirement: 'EXP-DOWNLOAD', does: 'downloads the export and expects text/csv that parses with a header row', needs: ['export'] },
  { name: 'export_content', requirement: 'EXP-CONTENT', does: 'compares the CSV rows with the order list (count, references, states)', needs: ['export'] },
  { name: 'export_not_found', requirement: 'EXP-NOT-FOUND', does: 'asks for the status and the file of an unknown task and expects 404' },
  { name: 'rate_limit', requirement: 'RATE-LIMIT', does: 'starts a second export right after the first and expects 429', needs: ['export'] },
  { name: 'rate_limit_scope', requirement: 'RATE-SCOPE', does: "starts an export as a colleague right after the user's and expects it accepted", needs: ['export', 'otherUser'] },
  { name: 'export_fresh', requirement: 'EXP-FRESH', does: "downloads the colleague's export, started after the run terminated its own order, and expects that order in its new state (a stale export contradicts the server's own acknowledgement)", needs: ['export', 'writes', 'otherUser'] },
  { name: 'rate_limit_retry_after', requirement: 'RATE-RETRY-AFTER', does: 'expects the 429 to carry a Retry-After header', needs: ['export'] },
  // robustness
  { name: 'no_server_errors', requirement: 'HTTP-NO-5XX', does: 'watches every exchange of the run for a 5xx or a broken answer' },
  { name: 'json_content_type', requirement: 'HTTP-JSON', does: 'expects every JSON endpoint to answer application/json with a body that parses' },
  { name: 'response_status_declared', requirement: 'HTTP-STATUS-DECLARED', does: 'expects every status the target answers to be declared for its operation' },
  // fuzzing (src/fuzz): fast-check properties; a failure carries its seed, path and shrunk request
  { name: 'fuzz_no_server_errors', requirement: 'HTTP-NO-5XX', does: 'fuzzes query parameters, path parameters and (with writes) request bodies and expects an answer and no 5xx', needs: ['fuzz'] },
  { name: 'fuzz_response_documented', requirement: 'HTTP-STATUS-DECLARED', does: 'expects every fuzzed answer that is not a 4xx refusal to carry a status declared for its operation, and every declared JSON answer to match its schema', needs: ['fuzz'] },
  { name: 'fuzz_path_params', requirement: 'ORD-NOT-FOUND', does: 'fuzzes order references, file names, task and product order ids in paths and expects listed ones answered 200 and anything else refused with a 4xx', needs: ['fuzz'] },
  { name: 'fuzz_filters', requirement: 'REQ-FILTER', does: 'filters the order requests by fuzzed order_reference and action values and expects every row to match and the rows to be exactly those of the unfiltered list with that value', needs: ['fuzz'] },
  { name: 'fuzz_pagination', requirement: 'ORD-LIST-PAGING', does: 'walks the order and order request lists with fuzzed page sizes and expects no gap, no duplicate, no page over its size and the same count whatever the paging', needs: ['fuzz'] },
  { name: 'fuzz_invalid_body', requirement: 'ACT-INVALID-BODY', does: 'sends fuzzed invalid termination bodies to active orders and expects a 4xx with the state and the order requests unchanged', needs: ['fuzz', 'writes'] },
  { name: 'fuzz_invalid_product_order', requirement: 'ACT-INVALID-BODY', does: 'sends fuzzed invalid product order bodies and expects a 4xx', needs: ['fuzz', 'writes'] },
] as const satisfies readonly CheckDef[];

/**
 * The client's checks (ANALYSIS.md, "The client side"): they judge the
 * requests an integrator's client sends, seen through `conformance proxy` or
 * a recording (`conformance judge traffic.har`), never a provider. Kept out
 * of CHECKS, so a run neither runs, reports, counts nor selects them; their
 * verdict is the client verdict, apart from the provider's.
 */
export const CLIENT_CHECKS = [
  // client side
  { name: 'client_request', requirement: 'CLI-REQUEST', side: 'client', does: "expects each of the client's requests to use a documented method and path (trailing slash included), declared query parameters of their types and a body that matches the operation's schema" },
  { name: 'client_auth', requirement: 'CLI-AUTH', side: 'client', does: 'expects every request of the client to carry its credentials (an Authorization header)' },
  { name: 'client_reason', requirement: 'CLI-REASON', side: 'client', does: 'expects every termination the client sends to carry a reason from the list the provider gave (seen in the traffic, or fetched from /api/v1/terminate_reason/)' },
  { name: 'client_rate', requirement: 'CLI-RATE', side: 'client', does: 'expects no second export start within 5 minutes for the same credential, and no request to an operation before the Retry-After of its 429 has passed' },
  { name: 'client_poll', requirement: 'CLI-POLL', side: 'client', does: 'expects the export status of a task to be polled at most once a second, and no more once it answered success true or false' },
] as const satisfies readonly CheckDef[];

export type ClientCheckName = (typeof CLIENT_CHECKS)[number]['name'];
export type CheckName = (typeof CHECKS)[number]['name'] | ClientCheckName;

/** The provider's checks by name (what `--checks` may select). */
export const CHECK_BY_NAME: ReadonlyMap<string, CheckDef> = new Map(CHECKS.map((c) => [c.name, c as CheckDef]));
/** The client's checks by name. */
export const CLIENT_CHECK_BY_NAME: ReadonlyMap<string, CheckDef> = new Map(CLIENT_CHECKS.map((c) => [c.name, c as CheckDef]));
