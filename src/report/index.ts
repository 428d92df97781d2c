/** The report writers (issue #7): what a run leaves in `--report-dir`. */
export type { Certificate } from './certificate.ts';
export { makeCertificate, verifyCertificate, sha256Hex } from './certificate.ts';
export type { DiffEntry, ReportDiff } from './diff.ts';
export { diffCommand, diffReports, formatDiff, hasRegression } from './diff.ts';
export { renderHtml } from './html.ts';
export { renderJunit } from './junit.ts';
export { renderSummaryMarkdown } from './markdown.ts';
export { parseReport, readReportFile } from './read.ts';
export { REPORT_FILES, serializeReport, writeReports } from './write.ts';
export type * from './types.ts';
