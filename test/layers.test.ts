/**
 * The layers of docs/architecture.md, enforced: which folder may import which.
 * A change that makes the reference server depend on the engine, or the
 * harness on a check, fails here before it blurs the design.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');

/** layer of a repository path */
function layerOf(path: string): string {
  const rules: [RegExp, string][] = [
    [/^src\/errors\.ts$/, 'errors'],
    [/^src\/contract\//, 'contract'],
    [/^src\/harness\//, 'harness'],
    [/^src\/checks\//, 'checks'],
    // the cassette's format, writer, reader and replay transport sit beside the harness; the commands that judge and replay above the engine
    [/^src\/cassette\/(judge|merge|replay-report)\.ts$/, 'cassette-commands'],
    [/^src\/cassette\//, 'cassette'],
    [/^src\/report\//, 'report'],
    [/^src\/engine\//, 'engine'],
    [/^src\/fuzz\//, 'fuzz'],
    [/^src\/proxy\//, 'proxy'],
    [/^src\/client\.ts$/, 'client'],
    [/^src\/(cli|index)\.ts$/, 'cli'],
    [/^mock\//, 'mock'],
    [/^contracts\//, 'contracts'],
    [/^generated\//, 'generated'],
    [/^package\.json$/, 'package'],
  ];
  return rules.find(([re]) => re.test(path))?.[1] ?? `other:${path}`;
}

/** what each layer may import (besides itself) */
const ALLOWED: Record<string, string[]> = {
  errors: [],
  contract: ['errors'],
  // a check judges exchanges against the contract; it sends nothing
  checks: ['contract', 'harness', 'report', 'errors'],
  // the exchange record of a cassette (src/cassette/record.ts)
  cassette: ['harness', 'errors'],
  harness: ['report'],
  report: ['contract', 'errors', 'package'],
  engine: ['contract', 'harness', 'checks', 'cassette', 'report', 'errors', 'mock', 'fuzz', 'package'],
  'cassette-commands': ['cassette', 'engine', 'contract', 'report', 'errors', 'harness'],
  fuzz: ['engine', 'contract', 'harness', 'checks', 'report', 'errors'],
  client: ['generated'],
  // the client side (conformance proxy, conformance judge): forwards, records and judges traffic it did not make
  proxy: ['contract', 'harness', 'checks', 'cassette', 'report', 'errors', 'mock', 'engine'],
  // the pact commands (contracts/command.ts) are loaded by the CLI only when called
  cli: ['engine', 'contract', 'checks', 'cassette', 'cassette-commands', 'report', 'errors', 'mock', 'client', 'harness', 'fuzz', 'contracts', 'proxy'],
  mock: ['contract', 'errors', 'generated'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const edges: { from: string; to: string; fromLayer: string; toLayer: string }[] = [];
for (const file of [...files(join(ROOT, 'src')), ...files(join(ROOT, 'mock'))]) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.[^']+)'/g)) {
    const target = relative(ROOT, resolve(dirname(file), m[1] ?? ''));
    const from = relative(ROOT, file);
    edges.push({ from, to: target, fromLayer: layerOf(from), toLayer: layerOf(target) });
  }
}

describe('layers', () => {
  it('reads the import graph of src/ and mock/', () => {
    expect(edges.length).toBeGreaterThan(50);
  });

  it('every import crosses only an allowed boundary', () => {
    const wrong = edges.filter((e) => e.fromLayer !== e.toLayer && !(ALLOWED[e.fromLayer] ?? []).includes(e.toLayer)).map((e) => `${e.from} (${e.fromLayer}) imports ${e.to} (${e.toLayer})`);
    expect(wrong).toEqual([]);
  });

  it('the library never imports the tests', () => {
    expect(edges.filter((e) => e.to.startsWith('test/')).map((e) => e.from)).toEqual([]);
  });

  it('the pact contracts, the vitest suites and the scripts use the kit as a library: through src/index.ts only (the typed client and the CLI apart)', () => {
    // two benchmarks time a part of the kit alone, and so reach into it: the import of the contract's modules, and the fuzz phase
    const timesAPart: Record<string, string[]> = {
      'scripts/bench/startup-child.ts': ['src/contract/load.ts', 'src/contract/validators.ts'],
      'scripts/bench/fuzz-child.ts': ['src/checks/catalog.ts', 'src/engine/context.ts', 'src/engine/options.ts', 'src/fuzz/data.ts', 'src/fuzz/index.ts', 'src/engine/run.ts', 'src/harness/http.ts', 'src/contract/load.ts'],
    };
    const wrong: string[] = [];
    let scripts = 0;
    for (const dir of ['contracts', 'suites', 'scripts']) {
      for (const file of files(join(ROOT, dir))) {
        const from = relative(ROOT, file);
        if (dir === 'scripts') scripts++;
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.[^']+)'/g)) {
          const target = relative(ROOT, resolve(dirname(file), m[1] ?? ''));
          if (target.startsWith('src/') && !['src/index.ts', 'src/client.ts', 'src/cli.ts', ...(timesAPart[from] ?? [])].includes(target)) wrong.push(`${from} imports ${target}`);
        }
      }
    }
    expect(scripts).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });
});
