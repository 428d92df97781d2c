/**
 * The kill suite (./kill-suite.ts) on the reference server under provider
 * variants the faults still apply to (mock/variants.ts): a check must not be
 * able to fail only on the reference server's habits. The runs are lean:
 * writes off, unless the fault's check needs them or the fault shows only in
 * write traffic (`showsInWrites`), since waiting for the writes' lifecycle
 * steps is most of a run's time; and an inferred requirement's fault is
 * caught by its warning in the documented profile (its strict grading, the
 * profile's own logic, is shown by kill.test.ts). A file of its own, so that
 * it runs beside kill.test.ts rather than after it.
 */
import { killSuite } from './kill-suite.ts';

killSuite({
  label: 'variants forbidden-403, nested-errors, offset-timestamps, microsecond-timestamps, fixed-page-size',
  variants: ['forbidden-403', 'nested-errors', 'offset-timestamps', 'microsecond-timestamps', 'fixed-page-size'],
  lean: true,
  strictToo: false,
});
