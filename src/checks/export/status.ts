/**
 * EXP-STATUS: the status of the user's export task, polled with a deadline,
 * answers 200 with the documented shape and the task's own task_id, and
 * reaches a final `success` (true or false) within --wait-ms.
 */
import type { Exchange } from '../../harness/http.ts';
import { both, schemaJudgement } from '../response.ts';
import { defineCheck, type Judgement } from '../define.ts';
import { judgePolls, type TaskPolls } from './task.ts';

export const exportStatus = defineCheck<TaskPolls>(import.meta.url, 'export_status', (input, env) =>
  judgePolls(input, (ex: Exchange): Judgement => {
    const schema = schemaJudgement(env, ex, 'getOrderExportStatus');
    const id = (ex.json() as { task_id?: unknown } | undefined)?.task_id;
    if (id === input.taskId) return schema;
    return both(schema, { passed: 0, findings: [{ message: `status of ${input.taskId}: expected task_id "${input.taskId}" / received ${JSON.stringify(id)}`, exchange: ex, pointer: '/task_id', value: id }] });
  }),
);
