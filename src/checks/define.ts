/**
 * A check as a unit (after Schemathesis's registered checks): a module under
 * src/checks/<area>/ registers its stable name with a function that judges
 * recorded exchanges and returns what it found. It sends nothing: drivers
 * (src/engine/phases, src/fuzz) make the exchanges and hand them over, and a
 * check's test cases hand it recorded exchanges kept as data
 * (test/checks/cases/<name>.json, in the cassette's record format).
 *
 *   export const historyTimestamps = defineCheck(import.meta.url, 'history_timestamps',
 *     (input: { ref: string; history: Exchange }, env) => ({ passed, findings }));
 *
 * The catalogue (src/checks/catalog.ts) keeps each check's requirement ID,
 * what it does and what it needs; src/checks/index.ts lists the modules, so
 * `conformance list-checks` names each check's file.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Exchange } from '../harness/http.ts';
import { Redactor } from '../harness/redact.ts';
import type { Evidence, Severity } from '../report/types.ts';
import { lifecycleOf, type Lifecycle } from '../contract/lifecycle.ts';
import type { Spec } from '../contract/load.ts';
import { validatorsFor, type Validators } from '../contract/validators.ts';
import type { CheckName } from './catalog.ts';

/** One thing a check found wrong, about one exchange. */
export interface Finding {
  /** "what: expected … / received …", the one message shape of every check */
  message: string;
  /** the exchange the finding is about: its evidence (curl, status, excerpt) comes from it */
  exchange?: Exchange;
  /** evidence made by hand, when no single exchange stands for the finding */
  evidence?: Evidence;
  /** the exchanges (writes) whose effect the finding's exchange shows: their evidence goes with it */
  causedBy?: Exchange[];
  pointer?: string;
  value?: unknown;
  expected?: string;
  received?: string;
  note?: string;
  /** overrides the requirement's grade (a keyword on an `x-inferred` node is a warning) */
  severity?: Severity;
  /**
   * The finding may be the target changing under the run rather than
   * contradicting itself, and looking twice did not settle it: a warning in
   * every profile, the strict one included (ANALYSIS.md rule 2: an
   * unconfirmed one is reported as a warning; strict makes inferred rules
   * errors, not what the run could not confirm).
   */
  unconfirmed?: boolean;
  /**
   * The finding compares the target with what the run read of it earlier
   * (a list, a count): the target may have changed meanwhile, so the driver
   * reads again and judges once more before the finding counts (ANALYSIS.md:
   * a server that contradicts itself fails, once we have looked twice).
   */
  recheck?: boolean;
}

/** What a check concluded about what it was given. */
export interface Judgement {
  /** items found right */
  passed: number;
  findings: Finding[];
  /** why it could not judge (nothing examined), if it could not */
  skip?: string;
}

/** What a check may consult beside the exchanges: the contract, and the redactor that keeps secrets out of messages. */
export interface JudgeEnv {
  spec: Spec;
  lifecycle: Lifecycle;
  validators: Validators;
  redactor: Redactor;
  /** a server value for a message: as JSON, redacted, cut to about `max` characters */
  show(v: unknown, max?: number): string;
}

export interface Check<I> {
  name: CheckName;
  /** the module's path from the repository's root, e.g. src/checks/lifecycle/history.ts */
  file: string;
  judge(input: I, env: JudgeEnv): Judgement;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function defineCheck<I>(moduleUrl: string, name: CheckName, judge: (input: I, env: JudgeEnv) => Judgement): Check<I> {
  return { name, file: relative(ROOT, fileURLToPath(moduleUrl)).split('\\').join('/'), judge };
}

const envs = new WeakMap<Spec, JudgeEnv>();

/** The judging environment of a contract, with a redactor of its own (or the run's, which knows the run's secrets). */
export function judgeEnv(spec: Spec, redactor?: Redactor): JudgeEnv {
  const cached = redactor ? undefined : envs.get(spec);
  if (cached) return cached;
  const r = redactor ?? new Redactor();
  const env: JudgeEnv = {
    spec,
    lifecycle: lifecycleOf(spec),
    validators: validatorsFor(spec),
    redactor: r,
    show: (v, max) => r.show(v, max),
  };
  if (!redactor) envs.set(spec, env);
  return env;
}
