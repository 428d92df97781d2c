#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx conformance` needs no build step.
//
// With a larger young generation for V8 (bin/node-flags.mjs): a run makes
// many short-lived objects (every answer parsed, validated, judged), and at
// V8's default the collector ran about 1.9 s of a 10,000-order run. The flag
// can only be given when node starts, so the command starts node once more
// with it, unless it is already there (given by hand, or in NODE_OPTIONS).
// Signals are passed on, and the command ends as that node does.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS, hasNodeFlags } from './node-flags.mjs';

if (!hasNodeFlags(process.execArgv, process.env.NODE_OPTIONS)) {
  const child = spawn(process.execPath, [...process.execArgv, ...NODE_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  const relay = (signal) => {
    // a terminal's Ctrl-C reaches both processes; the CLI takes a second one within a second as that echo
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, relay);
  child.on('error', (err) => {
    process.stderr.write(`conformance: could not start node again with ${NODE_FLAGS.join(' ')}: ${err.message} [CONF_ERR_INTERNAL]\n`);
    process.exitCode = 2;
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      // ended by a signal: end the same way, as a shell expects (130 for SIGINT…)
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(s, relay);
      process.kill(process.pid, signal);
      return;
    }
    process.exitCode = code ?? 2;
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli.ts');
  process.exitCode = await main(process.argv.slice(2));
}
