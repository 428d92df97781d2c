/**
 * The deadline of one exchange: `race` ends a wait when the deadline fires,
 * and keeps nothing of a wait that settled. A `Promise.race` with a promise
 * of the deadline that never settles kept every answer reachable for as long
 * as its deadline was (the 100,000-order run peaked at 589 MiB against
 * 286 MiB before it): the control below shows this test catches that.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/harness/policies/deadline.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Whether the answer a wait resolved to is still reachable while its deadline is held. */
async function kept(race: (d: Deadline, wait: Promise<object>) => Promise<object>): Promise<boolean> {
  const d = new Deadline(60_000);
  let ref: WeakRef<object> | undefined;
  await (async () => {
    const answer = await race(d, Promise.resolve({ body: Buffer.alloc(1024 * 1024) }));
    ref = new WeakRef(answer);
  })();
  d.clear();
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  const held = ref?.deref() !== undefined;
  // the deadline outlived the answer, as it did when something held it
  expect(d.aborted).toBe(false);
  return held;
}

describe('Deadline.race', () => {
  it('keeps nothing of a wait that settled, though the deadline lives on', async () => {
    expect(await kept((d, wait) => d.race(wait))).toBe(false);
  });

  it('control: a Promise.race with a never-settling promise of the deadline keeps the answer (what this test guards against)', async () => {
    const never = new WeakMap<Deadline, Promise<never>>();
    const expiredOf = (d: Deadline): Promise<never> => {
      let p = never.get(d);
      if (!p) never.set(d, (p = new Promise<never>(() => undefined)));
      return p;
    };
    expect(await kept((d, wait) => Promise.race([wait, expiredOf(d)]))).toBe(true);
  });

  it('rejects with a TimeoutError when the deadline fires first, and at once when it has fired', async () => {
    const d = new Deadline(20);
    await expect(d.race(new Promise(() => undefined))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(d.aborted).toBe(true);
    await expect(d.race(Promise.resolve(1))).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('passes the wait through, resolved or rejected, when it settles first', async () => {
    const d = new Deadline(60_000);
    await expect(d.race(Promise.resolve(7))).resolves.toBe(7);
    await expect(d.race(Promise.reject(new Error('reset')))).rejects.toThrow('reset');
    d.clear();
    expect(d.listenerCount('abort')).toBe(0);
  });
});
