// The flags the kit's node runs with (bin/conformance.mjs, the npm scripts,
// the benchmark's children): a young generation of 2 × 64 MiB instead of
// V8's 2 × 16 MiB. A run's garbage is mostly short-lived (answers parsed,
// validated, judged, dropped): with more room, fewer of them live through a
// collection. Measured over 10,000 orders (scripts/bench, 2 cores): the
// run took 11.7–15.7 s at the default and 10.7–11.9 s with the flag; the
// export cross-check of 300,000 orders peaked at 182–199 MiB either way.
export const NODE_FLAGS = ['--max-semi-space-size=64'];

/** Whether node already runs with the flags: given on its command line, or in NODE_OPTIONS. */
export function hasNodeFlags(execArgv, nodeOptions = '') {
  return NODE_FLAGS.every((flag) => {
    const name = flag.split('=')[0];
    return execArgv.some((a) => a === name || a.startsWith(`${name}=`)) || (nodeOptions ?? '').split(/\s+/).some((a) => a === name || a.startsWith(`${name}=`));
  });
}
