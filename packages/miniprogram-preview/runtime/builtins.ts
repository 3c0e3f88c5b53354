/**
 * WeChat's built-in components (view, text, button, image, input...) for the preview.
 *
 * miniprogram-simulate registers every built-in as an empty `<slot/>`: enough for unit tests,
 * but a page in a browser needs an image that shows, an input one can type in, and buttons whose
 * open-type does something. Each built-in here renders as `wx-<name>` (the tag WeChat uses, which
 * WXSS tag selectors are converted to) and reflects the attributes its look depends on (size,
 * type, loading, disabled...) onto that element for preview.css.
 *
 * What needs the rest of the preview (privacy consent, the avatar picker, the phone-number sheet,
 * navigation) comes in through BuiltinServices.
 */
import type { ExparserNode } from 'miniprogram-exparser';
import { registerComponent } from './engine';

export type PhoneNumberDetail = { errMsg: string; code: string } | { errMsg: string; errno?: number };

/** Which button asked: 手机号快速验证 or 手机号实时验证, and whether WeChat's own no-quota notice may show. */
export interface PhoneNumberRequest {
  openType: 'getPhoneNumber' | 'getRealtimePhoneNumber';
  /** `phone-number-no-quota-toast` (default true): WeChat shows its own notice when the quota is used up. */
  noQuotaToast: boolean;
}

export interface BuiltinServices {
  /** Resolves true once the user agreed to the privacy guide (at once if they already had). */
  requestPrivacy(referrer: string): Promise<boolean>;
  /** True when privacy APIs go ahead without asking. */
  hasPrivacyConsent(): boolean;
  /** The user tapped <button open-type="agreePrivacyAuthorization" id=buttonId>. */
  agreePrivacy(buttonId: string): void;
  /** chooseAvatar: a temporary file path, or null when the user cancelled. */
  pickAvatar(): Promise<string | null>;
  /** getPhoneNumber / getRealtimePhoneNumber: what the button's event carries. */
  askPhoneNumber(request: PhoneNumberRequest): Promise<PhoneNumberDetail>;
  /** A src the browser can load: temporary files and cloud:// fileIDs are resolved. */
  resolveImage(src: string): Promise<string>;
  /** <input type="nickname">: offers the WeChat nickname above the keyboard; returns a function that hides it. */
  offerNickname(onPick: (nickname: string) => void): () => void;
  /** <navigator>: performs the navigation. */
  navigate(openType: string, url: string, delta: number): void;
  /** Tells the person something the preview cannot do. */
  notSupported(feature: string): void;
}

/** `this` inside a built-in's lifetimes, observers and methods (j-component's method caller). */
interface Caller {
  readonly _exparserNode: ExparserNode;
  readonly data: Record<string, unknown>;
  triggerEvent(name: string, detail?: unknown, options?: { bubbles?: boolean; composed?: boolean }): void;
  /** Per-instance state of the preview's built-ins. */
  __pv?: Record<string, unknown>;
}

type Lifetime = (this: Caller) => void;
type Observer = (this: Caller, value: unknown) => void;

interface PropertySpec {
  type: StringConstructor | NumberConstructor | BooleanConstructor | ObjectConstructor | null;
  value?: unknown;
  observer?: Observer;
}

interface BuiltinDefinition {
  properties?: Record<string, PropertySpec>;
  lifetimes?: { created?: Lifetime; attached?: Lifetime; detached?: Lifetime };
}

/** Built-ins that only render their content: WeChat's styling comes from preview.css. */
const CONTENT_ONLY = [
  'view',
  'text',
  'icon',
  'progress',
  'rich-text',
  'label',
  'checkbox',
  'checkbox-group',
  'radio',
  'radio-group',
  'switch',
  'slider',
  'picker',
  'picker-view',
  'picker-view-column',
  'scroll-view',
  'swiper',
  'swiper-item',
  'movable-area',
  'movable-view',
  'cover-view',
  'cover-image',
  'video',
  'audio',
  'camera',
  'map',
  'canvas',
  'web-view',
  'open-data',
  'ad',
  'official-account',
  'page-container',
  'root-portal',
  'match-media',
  'navigation-bar',
  'page-meta',
  'editor',
];

function hostOf(caller: Caller): HTMLElement {
  const element = caller._exparserNode.$$;
  if (!element) throw new Error('preview: a built-in component has no DOM element');
  return element;
}

function state(caller: Caller): Record<string, unknown> {
  caller.__pv ??= {};
  return caller.__pv;
}

/** Mirrors a property onto the element as an attribute (true -> present, false/'' -> absent). */
function reflect(name: string): Observer {
  return function observer(value) {
    const element = hostOf(this);
    if (value === false || value === '' || value === null || value === undefined) element.removeAttribute(name);
    else element.setAttribute(name, value === true ? '' : String(value));
  };
}

function register(name: string, definition: BuiltinDefinition): void {
  registerComponent({
    id: name,
    tagName: `wx-${name}`,
    // Content (if any) goes into the slot; image and input add their own DOM element beside it.
    template: '<slot/>',
    properties: {
      // Every component accepts `hidden` (WeChat: display none).
      hidden: { type: Boolean, value: false, observer: reflect('hidden') },
      ...definition.properties,
    },
    lifetimes: definition.lifetimes ?? {},
  });
}

function registerButton(services: BuiltinServices): void {
  async function openType(caller: Caller, type: string): Promise<void> {
    const id = caller._exparserNode.id;
    switch (type) {
      case 'agreePrivacyAuthorization':
        services.agreePrivacy(id);
        caller.triggerEvent('agreeprivacyauthorization', {});
        return;
      case 'chooseAvatar': {
        if (!(await services.requestPrivacy('chooseAvatar'))) {
          caller.triggerEvent('chooseavatar', { errMsg: 'chooseAvatar:fail privacy permission is not authorized', errno: 104 });
          return;
        }
        const avatarUrl = await services.pickAvatar();
        if (avatarUrl !== null) caller.triggerEvent('chooseavatar', { avatarUrl });
        return;
      }
      case 'getPhoneNumber':
      case 'getRealtimePhoneNumber': {
        const event = type === 'getPhoneNumber' ? 'getphonenumber' : 'getrealtimephonenumber';
        if (!(await services.requestPrivacy(type))) {
          caller.triggerEvent(event, { errMsg: `${type}:fail privacy permission is not authorized`, errno: 104 });
          return;
        }
        caller.triggerEvent(
          event,
          await services.askPhoneNumber({ openType: type, noQuotaToast: caller.data['phoneNumberNoQuotaToast'] !== false }),
        );
        return;
      }
      case '':
        return;
      default:
        services.notSupported(`open-type="${type}"`);
    }
  }

  register('button', {
    properties: {
      size: { type: String, value: 'default', observer: reflect('size') },
      type: { type: String, value: 'default', observer: reflect('type') },
      plain: { type: Boolean, value: false, observer: reflect('plain') },
      disabled: { type: Boolean, value: false, observer: reflect('disabled') },
      loading: { type: Boolean, value: false, observer: reflect('loading') },
      formType: { type: String, value: '' },
      openType: { type: String, value: '' },
      phoneNumberNoQuotaToast: { type: Boolean, value: true },
      hoverClass: { type: String, value: 'button-hover' },
    },
    lifetimes: {
      attached() {
        this._exparserNode.addListener('tap', () => {
          if (this.data['disabled'] === true) return;
          const formType = String(this.data['formType'] ?? '');
          if (formType === 'submit' || formType === 'reset') submitEnclosingForm(hostOf(this), formType);
          openType(this, String(this.data['openType'] ?? '')).catch((error: unknown) => console.error('[preview] button open-type', error));
        });
      },
    },
  });
}

/** Values of named fields inside a form, as `<form bindsubmit>` reports them. */
function formValues(form: HTMLElement): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  form.querySelectorAll<HTMLElement>('[data-pv-field]').forEach((field) => {
    const name = field.getAttribute('name');
    const control = field.querySelector<HTMLInputElement | HTMLTextAreaElement>('input, textarea');
    if (name && control) values[name] = control.value;
  });
  return values;
}

/** A submit/reset button tells its form through a DOM event; the form answers with its own WeChat event. */
function submitEnclosingForm(button: HTMLElement, formType: 'submit' | 'reset'): void {
  button.closest('wx-form')?.dispatchEvent(new CustomEvent(`pv-form-${formType}`));
}

function registerForm(): void {
  register('form', {
    lifetimes: {
      attached() {
        const form = hostOf(this);
        form.addEventListener('pv-form-submit', () => this.triggerEvent('submit', { value: formValues(form) }));
        form.addEventListener('pv-form-reset', () => {
          form
            .querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('[data-pv-field] input, [data-pv-field] textarea')
            .forEach((control) => {
              control.value = '';
            });
          this.triggerEvent('reset', {});
        });
      },
    },
  });
}

function registerImage(services: BuiltinServices): void {
  /** WeChat's image is a box whose picture is fitted by `mode`: an <img> with object-fit here. */
  function imageOf(caller: Caller): HTMLImageElement {
    const existing = state(caller)['img'];
    if (existing instanceof HTMLImageElement) return existing;
    const image = document.createElement('img');
    image.className = 'pv-image__img';
    image.alt = '';
    image.addEventListener('load', () => caller.triggerEvent('load', { width: image.naturalWidth, height: image.naturalHeight }));
    image.addEventListener('error', () => {
      if (image.getAttribute('src')) caller.triggerEvent('error', { errMsg: `GET ${image.src} failed` });
    });
    hostOf(caller).appendChild(image);
    state(caller)['img'] = image;
    return image;
  }

  function show(caller: Caller, src: unknown): void {
    const image = imageOf(caller);
    const text = typeof src === 'string' ? src : '';
    if (text === '') {
      image.removeAttribute('src');
      return;
    }
    services.resolveImage(text).then(
      (url) => {
        // The src may have changed while a cloud:// fileID was being resolved.
        if (caller.data['src'] === src) image.src = url;
      },
      (error: unknown) => caller.triggerEvent('error', { errMsg: `GET ${text} failed: ${String(error)}` }),
    );
  }

  register('image', {
    properties: {
      src: {
        type: String,
        value: '',
        observer(value) {
          show(this, value);
        },
      },
      mode: { type: String, value: 'scaleToFill', observer: reflect('mode') },
      lazyLoad: { type: Boolean, value: false },
      showMenuByLongpress: { type: Boolean, value: false },
      webp: { type: Boolean, value: false },
    },
    lifetimes: {
      attached() {
        imageOf(this);
      },
    },
  });
}

/** input and textarea: a real control inside the wx- element, events shaped like WeChat's. */
function registerTextField(name: 'input' | 'textarea', services: BuiltinServices): void {
  /** <input type="nickname">: WeChat asks for privacy consent on focus, then offers the WeChat nickname. */
  function startNickname(caller: Caller, element: HTMLInputElement | HTMLTextAreaElement): () => void {
    let hide: () => void = () => undefined;
    let ended = false;
    const askedFirst = !services.hasPrivacyConsent();
    void services.requestPrivacy('nickname').then((agreed) => {
      if (!agreed) {
        element.blur();
        return;
      }
      if (ended) {
        // The input lost its focus to the consent popup: give it back, as WeChat resumes the held
        // input. Its focus handler starts over, consent now given, and offers the nickname.
        element.focus();
        return;
      }
      hide = services.offerNickname((nickname) => {
        element.value = nickname;
        caller.triggerEvent('input', { value: nickname, cursor: nickname.length, keyCode: 0 });
        caller.triggerEvent('change', { value: nickname });
        element.blur();
      });
      if (askedFirst) {
        // A touch on the popup's 同意 blurs the input only after this ran (the browser's mouse
        // events follow the touch): take the focus back once, as WeChat keeps the held input.
        const refocus = () => setTimeout(() => element.focus(), 0);
        element.addEventListener('blur', refocus, { once: true });
        setTimeout(() => element.removeEventListener('blur', refocus), 800);
      }
    });
    return () => {
      ended = true;
      hide();
    };
  }

  /** The control, made on first use (property observers may run before the attached lifetime). */
  function controlOf(caller: Caller): HTMLInputElement | HTMLTextAreaElement {
    const existing = state(caller)['control'];
    if (existing instanceof HTMLInputElement || existing instanceof HTMLTextAreaElement) return existing;
    const element = document.createElement(name);
    element.className = `pv-${name}__control`;
    element.maxLength = 140;
    if (element instanceof HTMLInputElement) element.type = 'text';
    const host = hostOf(caller);
    host.setAttribute('data-pv-field', '');
    host.appendChild(element);
    state(caller)['control'] = element;

    element.addEventListener('input', () => {
      caller.triggerEvent('input', { value: element.value, cursor: element.selectionStart ?? element.value.length, keyCode: 0 });
    });
    element.addEventListener('focus', () => {
      caller.triggerEvent('focus', { value: element.value, height: 0 });
      if (caller.data['type'] === 'nickname') state(caller)['hideNickname'] = startNickname(caller, element);
    });
    element.addEventListener('blur', () => {
      const hide = state(caller)['hideNickname'];
      if (typeof hide === 'function') (hide as () => void)();
      state(caller)['hideNickname'] = undefined;
      caller.triggerEvent('blur', { value: element.value, cursor: element.value.length });
      if (caller.data['type'] === 'nickname') caller.triggerEvent('nicknamereview', { pass: true, timeout: false });
    });
    element.addEventListener('keydown', (event) => {
      if (event instanceof KeyboardEvent && event.key === 'Enter' && element instanceof HTMLInputElement) {
        caller.triggerEvent('confirm', { value: element.value });
      }
    });
    return element;
  }

  const setAttribute = (attribute: string): Observer =>
    function observer(value) {
      const element = controlOf(this);
      if (value === '' || value === false || value === null || value === undefined) element.removeAttribute(attribute);
      else element.setAttribute(attribute, String(value));
    };

  const applyType: Observer = function () {
    const element = controlOf(this);
    const type = String(this.data['type'] ?? 'text');
    hostOf(this).setAttribute('type', type);
    if (!(element instanceof HTMLInputElement)) return;
    element.type = this.data['password'] === true || type === 'safe-password' ? 'password' : 'text';
    element.inputMode = type === 'number' ? 'numeric' : type === 'digit' ? 'decimal' : 'text';
  };

  register(name, {
    properties: {
      value: {
        type: String,
        value: '',
        observer(value) {
          const element = controlOf(this);
          const text = value === null || value === undefined ? '' : String(value);
          if (element.value !== text) element.value = text;
        },
      },
      type: { type: String, value: 'text', observer: applyType },
      password: { type: Boolean, value: false, observer: applyType },
      placeholder: { type: String, value: '', observer: setAttribute('placeholder') },
      placeholderStyle: { type: String, value: '' },
      placeholderClass: { type: String, value: '' },
      disabled: { type: Boolean, value: false, observer: setAttribute('disabled') },
      maxlength: {
        type: Number,
        value: 140,
        observer(value) {
          const element = controlOf(this);
          // WeChat: -1 means no limit.
          if (typeof value === 'number' && value >= 0) element.maxLength = value;
          else element.removeAttribute('maxlength');
        },
      },
      focus: {
        type: Boolean,
        value: false,
        observer(value) {
          if (value === true) controlOf(this).focus();
        },
      },
      autoFocus: { type: Boolean, value: false },
      confirmType: { type: String, value: 'done' },
      name: { type: String, value: '', observer: reflect('name') },
      autoHeight: { type: Boolean, value: false },
    },
    lifetimes: {
      attached() {
        const element = controlOf(this);
        if (this.data['autoFocus'] === true || this.data['focus'] === true) element.focus();
      },
    },
  });
}

function registerNavigator(services: BuiltinServices): void {
  register('navigator', {
    properties: {
      url: { type: String, value: '' },
      openType: { type: String, value: 'navigate' },
      delta: { type: Number, value: 1 },
      target: { type: String, value: 'self' },
    },
    lifetimes: {
      attached() {
        this._exparserNode.addListener('tap', () => {
          services.navigate(String(this.data['openType'] ?? 'navigate'), String(this.data['url'] ?? ''), Number(this.data['delta'] ?? 1));
        });
      },
    },
  });
}

export function registerBuiltins(services: BuiltinServices): void {
  for (const name of CONTENT_ONLY) register(name, {});
  registerButton(services);
  registerForm();
  registerImage(services);
  registerTextField('input', services);
  registerTextField('textarea', services);
  registerNavigator(services);
}
