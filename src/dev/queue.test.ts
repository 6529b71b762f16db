import { describe, expect, test } from 'vitest';
import type { Batch } from './changes.ts';
import { WorkQueue } from './queue.ts';

/** A queue whose handler waits until the test lets each batch end. */
function queue() {
  const batches: Batch[] = [];
  const errors: unknown[] = [];
  let started: () => void = () => {};
  let release: () => void = () => {};
  let fail = false;
  const q = new WorkQueue(
    async (batch) => {
      batches.push(batch);
      const ended = new Promise<void>((resolve) => (release = resolve));
      started();
      await ended;
      if (fail) throw new Error('render failed');
    },
    (error) => errors.push(error),
  );
  const nextStart = () => new Promise<void>((resolve) => (started = resolve));
  return { q, batches, errors, nextStart, release: () => release(), failNext: () => (fail = true) };
}

describe('the work queue of npm run dev', () => {
  test('changes that arrive while a batch runs wait, merged into one next batch; idle() waits for both', async () => {
    const { q, batches, nextStart, release } = queue();
    let first = nextStart();
    expect(q.add('chapters/01-a/app.ts')).toBe(true);
    expect(q.add('chapters/01-a/.app.ts.swp')).toBe(false);
    await first;
    expect(batches).toHaveLength(1);
    expect([...(batches[0] as Batch).files]).toEqual(['chapters/01-a/app.ts']);
    // Saved while the first batch runs: not started until it ends.
    q.add('chapters/02-b/README.md');
    q.add('chapters/02-b/app.ts');
    let idle = false;
    const done = q.idle().then(() => (idle = true));
    first = nextStart();
    release();
    await first;
    expect(batches).toHaveLength(2);
    expect([...(batches[1] as Batch).chapters]).toEqual([['02-b', true]]);
    expect(idle).toBe(false);
    release();
    await done;
    expect(batches).toHaveLength(2);
    await q.close();
  });

  test('a batch that throws is reported and the queue goes on', async () => {
    const { q, batches, errors, nextStart, release, failNext } = queue();
    failNext();
    const started = nextStart();
    q.rerunAll('chapters');
    await started;
    expect((batches[0] as Batch).rerunAll).toBe(true);
    release();
    await q.idle();
    expect(errors).toEqual([new Error('render failed')]);
    const again = nextStart();
    q.add('src/render/pages.ts');
    await again;
    expect((batches[1] as Batch).all).toBe(true);
    release();
    await q.close();
  });
});
