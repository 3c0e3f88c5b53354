import { navigationBar, navigator } from '../../composition-root';
import { homeStep } from '../../navigation/routes';

/**
 * A page's own navigation bar, for projects whose app.json sets `"navigationStyle": "custom"`:
 * WeChat then draws no bar, so a page would have no title and no way back. `npm run add` puts one
 * at the top of every installed page of such a project (the kit's own app keeps WeChat's bar).
 * 返回 goes back, or home when the page was opened first (a share, a scan); the title is the
 * page's, and navigator.setTitle() updates it (platform/wx-page.ts keeps the live bars).
 */

/** Each live bar's way out of the registry (a WeakMap: nothing but the instance to key it by). */
const unregister = new WeakMap<object, () => void>();
Component({
  properties: {
    title: { type: String, value: '' },
  },
  data: {
    statusBarHeight: 20,
    barHeight: 44,
    canGoBack: false,
  },
  lifetimes: {
    attached() {
      this.setData({ ...navigationBar.metrics(), canGoBack: navigator.stackDepth() > 1 });
      unregister.set(this, navigationBar.register(this));
    },
    detached() {
      unregister.get(this)?.();
      unregister.delete(this);
    },
  },
  methods: {
    onBack() {
      void navigator.navigate(this.data.canGoBack ? { kind: 'back' } : homeStep());
    },
  },
});
