import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConformanceError } from '../../src/errors.ts';
import { verifyCertificate } from '../../src/report/certificate.ts';
import { writeReports } from '../../src/report/write.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { failingReport } from './fixtures.ts';

describe('writeReports', () => {
  it('creates the directory and writes the five reports; the certificate matches conformance.json', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'conformance-write-')), 'nested', 'reports');
    const report = failingReport();
    const { files } = await writeReports(report, loadSpec(), dir);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(['certificate.json', 'conformance.json', 'index.html', 'junit.xml', 'summary.md', 'summary.txt']);
    const json = readFileSync(join(dir, 'conformance.json'), 'utf8');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(json).toContain('\n  "verdict": "FAIL",\n');
    const cert = JSON.parse(readFileSync(join(dir, 'certificate.json'), 'utf8'));
    expect(verifyCertificate(cert, json)).toEqual({ ok: true });
  });

  it('a directory that cannot be created is CONF_ERR_REPORT_WRITE', async () => {
    expect.assertions(3);
    const base = mkdtempSync(join(tmpdir(), 'conformance-write-'));
    const file = join(base, 'a-file');
    writeFileSync(file, 'x');
    try {
      await writeReports(failingReport(), loadSpec(), join(file, 'reports'));
    } catch (err) {
      expect(err).toBeInstanceOf(ConformanceError);
      expect((err as ConformanceError).code).toBe('CONF_ERR_REPORT_WRITE');
      expect((err as ConformanceError).message).toMatch(/^The reports could not be written: cannot create .*ENOTDIR/);
    }
  });
});
