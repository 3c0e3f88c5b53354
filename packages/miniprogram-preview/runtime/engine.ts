/// <reference path="./vendor.d.ts" />
/**
 * The component engine: j-component over miniprogram-exparser, the engine miniprogram-simulate
 * runs the unit tests on, bundled for the browser. These fixes make it behave like WeChat
 * (besides: a bound style that is not text, and `selectComponent` of nothing answering null):
 *
 * - ids: j-component registers every component with exparser's `writeIdToDOM: false`, so
 *   `id="login-button"` exists only in exparser's tree. Forcing it on puts ids on DOM elements,
 *   where people (DevTools) and end-to-end tests look for them.
 * - rpx in `style="width: {{size}}rpx"`: j-component turns `96rpx` into `96px` (1:1). The screen
 *   is 750rpx wide, so it must be `calc(96 * var(--pv-rpx))`, as the WXSS conversion does
 *   (shared/css-units.ts; vh and vw too).
 * - mouse: j-component derives `tap` from touch events only. A desktop browser sends clicks, so
 *   installMouseTaps() turns clicks into the same exparser `tap` event (touch taps stay as they are).
 *
 * The patches go on the module objects j-component reads at call time, before anything registers.
 */
import exparser, { type ComponentDefinition } from 'miniprogram-exparser';
import jComponentUtils from 'j-component/src/tool/utils.js';
import jComponent, { type RootComponent } from 'j-component/src/index.js';
import { PAGE_ATTRIBUTE } from '../shared/bundle';
import { convertUnits } from '../shared/css-units';

export type { RootComponent };

let patched = false;

export function patchEngine(): void {
  if (patched) return;
  patched = true;
  const registerElement = exparser.registerElement.bind(exparser);
  exparser.registerElement = (definition: ComponentDefinition) =>
    registerElement({ ...definition, options: { ...definition.options, writeIdToDOM: true } });
  // selectComponent('#absent') is null in WeChat; j-component asks these of the node it found, even when none.
  const getMethod = exparser.Component.getMethod.bind(exparser.Component);
  exparser.Component.getMethod = (node, name) => (node ? getMethod(node, name) : undefined);
  const getMethodCaller = exparser.Element.getMethodCaller.bind(exparser.Element);
  exparser.Element.getMethodCaller = (node) => (node ? getMethodCaller(node) : null);
  // A binding may give a number, null or an object (a WXS style helper returning one): WeChat
  // writes its string form into the attribute; the engine would throw on it.
  jComponentUtils.transformRpx = (style: unknown) => convertUnits(typeof style === 'string' ? style : style == null ? '' : String(style));
}

/**
 * Registers a component. j-component compiles the template at once and looks up every component it
 * names, which a recursion (a component using itself, or one that uses it) cannot satisfy: those
 * not yet registered get a placeholder under their id, all the compiler reads from it; the real one
 * replaces it when it registers, before anything renders (exparser resolves names lazily).
 */
export function registerComponent(definition: Record<string, unknown>): string {
  const using = definition['usingComponents'];
  if (typeof using === 'object' && using !== null)
    for (const id of Object.values(using as Record<string, unknown>))
      if (typeof id === 'string' && jComponentUtils.cache(id) === undefined) jComponentUtils.cache(id, { id });
  return jComponent.register(definition);
}

/** Whether a component (a built-in or the mini-program's own) is registered under this id or tag. */
export function isRegistered(idOrTag: string): boolean {
  return jComponentUtils.cache(idOrTag) !== undefined;
}

export function registerBehavior(definition: Record<string, unknown>): string {
  return jComponent.behavior(definition);
}

export function createRoot(id: string): RootComponent {
  const root = jComponent.create(id);
  if (!root) throw new Error(`preview: component ${id} is not registered`);
  return root;
}

/**
 * Clicks with a mouse (or keyboard activation) become exparser `tap` events on the clicked
 * element inside `container`. Clicks a touch produced are skipped: j-component already made a
 * tap from the touch, and a second one would run the handler twice.
 */
export function installMouseTaps(container: HTMLElement): void {
  let lastTouch = 0;
  container.addEventListener(
    'touchend',
    () => {
      lastTouch = Date.now();
    },
    { capture: true, passive: true },
  );
  container.addEventListener(
    'click',
    (event) => {
      const fromTouch = ('pointerType' in event && (event as PointerEvent).pointerType === 'touch') || Date.now() - lastTouch < 800;
      if (fromTouch || !(event.target instanceof Element)) return;
      if (!event.target.closest(`[${PAGE_ATTRIBUTE}]`)) return;
      const detail = { x: event.pageX, y: event.pageY };
      exparser.Event.dispatchEvent(
        event.target,
        exparser.Event.create('tap', detail, {
          originalEvent: event,
          bubbles: true,
          capturePhase: true,
          composed: true,
          extraFields: {
            touches: [],
            changedTouches: [{ clientX: event.clientX, clientY: event.clientY, pageX: event.pageX, pageY: event.pageY }],
          },
        }),
      );
    },
    { capture: true },
  );
}
