/**
 * wx.createSelectorQuery(): in WeChat it queries the page on top of the stack, or the component
 * given to `.in(component)`. The engine gives every page and component a working query of its own
 * (`this.createSelectorQuery()`, measuring the rendered DOM); this one hands each call to the query
 * of the page that is on top when it is first used, as WeChat does.
 */

export interface SelectorQueryLike {
  select(selector: string): unknown;
  selectAll(selector: string): unknown;
  selectViewport(): unknown;
  exec(callback?: (results: unknown[]) => void): unknown;
}

export interface QueryOwner {
  createSelectorQuery?: () => SelectorQueryLike;
}

export function createWxSelectorQuery(topPage: () => QueryOwner | undefined) {
  let real: SelectorQueryLike | null = null;
  const target = (): SelectorQueryLike => {
    if (real) return real;
    const page = topPage();
    if (!page || typeof page.createSelectorQuery !== 'function') throw new Error('wx.createSelectorQuery: no page is open');
    real = page.createSelectorQuery();
    return real;
  };
  const query = {
    in(component: QueryOwner) {
      if (typeof component?.createSelectorQuery === 'function') real = component.createSelectorQuery();
      return query;
    },
    select: (selector: string) => target().select(selector),
    selectAll: (selector: string) => target().selectAll(selector),
    selectViewport: () => target().selectViewport(),
    exec: (callback?: (results: unknown[]) => void) => target().exec(callback),
  };
  return query;
}
