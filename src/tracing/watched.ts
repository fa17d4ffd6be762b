// An async iterable seen from the side: each item, and how the reading ended. A plain iterator wrapper rather than
// an async generator: a traced LLM reply or TTS stream passes every chunk through here, and a generator costs
// several promises per item where this costs one (bench/tracing.ts).

/** How reading ended: the source was exhausted, the reader stopped early, or the source threw. */
export type ReadEnd = 'done' | 'returned' | { readonly error: unknown };

export function watched<T>(
  source: AsyncIterable<T>,
  onItem: (item: T) => void,
  onEnd: (end: ReadEnd) => void,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = source[Symbol.asyncIterator]();
      let over = false;
      const end = (how: ReadEnd) => {
        if (over) return;
        over = true;
        onEnd(how);
      };
      const seen = (r: IteratorResult<T>): IteratorResult<T> => {
        if (r.done === true) end('done');
        else onItem(r.value);
        return r;
      };
      const failed = (error: unknown): never => {
        end({ error });
        throw error;
      };
      return {
        next: () => it.next().then(seen, failed),
        return: (value?: unknown) => {
          end('returned');
          return it.return ? it.return(value) : Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}
