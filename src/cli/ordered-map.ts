/**
 * Runs an async function over a stream of items with at most `limit` calls in flight and
 * hands the results to `emit` in INPUT order. The window is a FIFO: when it is full, the
 * oldest call is awaited before the next item is pulled, so input is read no faster than
 * output is produced (back-pressure all the way to stdin).
 */
export async function orderedMap<T, R>(
  items: AsyncIterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  emit: (result: R, index: number) => void | Promise<void>,
): Promise<number> {
  const window: Array<Promise<R>> = [];
  let next = 0; // index of the next item to start
  let done = 0; // index of the next result to emit
  const drainOne = async (): Promise<void> => {
    const head = window.shift() as Promise<R>;
    await emit(await head, done);
    done += 1;
  };
  for await (const item of items) {
    const p = fn(item, next);
    // Avoid an unhandled rejection while an earlier result is still being awaited;
    // the rejection is observed when this promise reaches the head of the window.
    p.catch(() => undefined);
    window.push(p);
    next += 1;
    if (window.length >= limit) await drainOne();
  }
  while (window.length > 0) await drainOne();
  return done;
}
