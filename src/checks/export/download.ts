/**
 * EXP-DOWNLOAD: the finished export downloads as text/csv that parses, with
 * a header row. Judged on the download's exchange and the summary the
 * driver's streaming parse left (src/engine/phases/export.ts).
 */
import { defineCheck } from '../define.ts';
import { judgeDownload, type TaskDownload } from './task.ts';

export const exportDownload = defineCheck<TaskDownload>(import.meta.url, 'export_download', (d) => judgeDownload(d, true));
