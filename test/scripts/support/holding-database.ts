import cloud from 'wx-server-sdk';

type Data = Record<string, unknown>;

/**
 * The SDK's database, whose first `method` call on `collection` (any collection when absent) waits
 * until `meanwhile` has finished: what happens "between" two steps of an admin command, exactly,
 * not by timing. `where` holds the query's request (the first `get`, `update` or `remove` of it).
 */
export function holdingFirst<D>(meanwhile: () => Promise<void>, hold: { method: 'add' | 'where'; collection?: string }): D {
  const db = cloud.database({ throwOnNotFound: false } as Parameters<typeof cloud.database>[0]) as unknown as {
    collection(name: string): Record<string, (...args: unknown[]) => unknown>;
  };
  let pending: (() => Promise<void>) | null = meanwhile;
  const waitOnce = async () => {
    const run = pending;
    pending = null;
    if (run) await run();
  };
  const bound = <T extends object>(target: T, property: string | symbol): unknown => {
    const value = Reflect.get(target, property);
    return typeof value === 'function' ? value.bind(target) : value;
  };
  /** A query whose requests wait once; its chained calls answer the same kind of query. */
  const held = (query: object): object =>
    new Proxy(query, {
      get(target, property) {
        const value = bound(target, property);
        if (typeof value !== 'function') return value;
        if (property === 'get' || property === 'update' || property === 'remove')
          return async (...args: unknown[]) => {
            await waitOnce();
            return (value as (...args: unknown[]) => unknown)(...args);
          };
        return (...args: unknown[]) => held((value as (...args: unknown[]) => object)(...args));
      },
    });
  return new Proxy(db, {
    get(target, property) {
      if (property !== 'collection') return bound(target, property);
      return (name: string) => {
        const real = target.collection(name);
        if (hold.collection !== undefined && name !== hold.collection) return real;
        return new Proxy(real, {
          get(inner, innerProperty) {
            if (innerProperty !== hold.method || pending === null) return bound(inner, innerProperty);
            if (hold.method === 'where') return (condition: unknown) => held(inner.where?.(condition) as object);
            return async (options: { data: Data[] }) => {
              await waitOnce();
              return inner.add?.(options);
            };
          },
        });
      };
    },
  }) as unknown as D;
}

/** One point of an admin command to stop at: the `nth` call of `method` on `collection` (from 1). */
export interface Hold {
  method: 'add' | 'where';
  collection: string;
  nth: number;
  meanwhile: () => Promise<void>;
}

/**
 * The SDK's database, where each hold's call waits until its `meanwhile` has finished: several
 * exact points of one run ("between its claims and its users", "before its final check").
 * `where` counts when the query is built and holds its request.
 */
export function holdingAt<D>(holds: Hold[]): D {
  const db = cloud.database({ throwOnNotFound: false } as Parameters<typeof cloud.database>[0]) as unknown as {
    collection(name: string): Record<string, (...args: unknown[]) => unknown>;
  };
  const counts = new Map<string, number>();
  const holdFor = (collection: string, method: string): Hold | undefined => {
    const key = `${collection}.${method}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    return holds.find((hold) => hold.collection === collection && hold.method === method && hold.nth === count);
  };
  const bound = <T extends object>(target: T, property: string | symbol): unknown => {
    const value = Reflect.get(target, property);
    return typeof value === 'function' ? value.bind(target) : value;
  };
  const held = (query: object, hold: Hold): object => {
    let done = false;
    return new Proxy(query, {
      get(target, property) {
        const value = bound(target, property);
        if (typeof value !== 'function') return value;
        if (property === 'get' || property === 'update' || property === 'remove')
          return async (...args: unknown[]) => {
            if (!done) {
              done = true;
              await hold.meanwhile();
            }
            return (value as (...args: unknown[]) => unknown)(...args);
          };
        return (...args: unknown[]) => held((value as (...args: unknown[]) => object)(...args), hold);
      },
    });
  };
  return new Proxy(db, {
    get(target, property) {
      if (property !== 'collection') return bound(target, property);
      return (name: string) => {
        const real = target.collection(name);
        return new Proxy(real, {
          get(inner, innerProperty) {
            if (innerProperty === 'add')
              return async (options: { data: Data[] }) => {
                await holdFor(name, 'add')?.meanwhile();
                return inner.add?.(options);
              };
            if (innerProperty === 'where')
              return (condition: unknown) => {
                const query = inner.where?.(condition) as object;
                const hold = holdFor(name, 'where');
                return hold ? held(query, hold) : query;
              };
            return bound(inner, innerProperty);
          },
        });
      };
    },
  }) as unknown as D;
}
