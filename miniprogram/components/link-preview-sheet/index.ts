/**
 * The link offer as a bottom sheet: what the existing account is and what linking does, before
 * anything happens. Shown by 账号与安全 (binding a number of another account) and by the login
 * page's 「换了微信？用手机号找回账号」. Nothing is linked here: 关联到该账号 emits `confirm`, 取消
 * emits `cancel`, and the page calls the service.
 */
Component({
  properties: {
    /**
     * The offer (a LinkPreviewView), null when there is none. The short form: older typings
     * (miniprogram-api-typings 2.x) reject a null `value`, and null is Object's default anyway.
     */
    preview: Object,
    /** The confirmation is on its way: 关联中… and no second tap. */
    busy: { type: Boolean, value: false },
    /** The sheet's title: why the person sees it. */
    title: { type: String, value: '该手机号已属于另一个账号' },
  },
  methods: {
    onConfirm() {
      if (!this.data.busy) this.triggerEvent('confirm');
    },
    onCancel() {
      if (!this.data.busy) this.triggerEvent('cancel');
    },
  },
});

// A module, like every other script of the kit: a script without import or export is global, and TypeScript
// re-checks a whole project when a global script is added or changed (an install into a TypeScript project).
export {};
