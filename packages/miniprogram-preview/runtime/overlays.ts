/**
 * What WeChat draws above the page: toast, loading, modal, action sheet, and the native sheets
 * the preview simulates (privacy consent without a listener, the phone-number sheet, the
 * nickname offered above the keyboard). Plain DOM inside the phone screen; buttons answer to
 * clicks and taps alike (a tap in a touch browser also produces the click).
 */

import { onPress } from './press';

export interface ToastOptions {
  title: string;
  icon?: 'success' | 'error' | 'loading' | 'none';
  duration?: number;
  mask?: boolean;
}

export interface ModalOptions {
  title?: string;
  content?: string;
  showCancel?: boolean;
  cancelText?: string;
  cancelColor?: string;
  confirmText?: string;
  confirmColor?: string;
  editable?: boolean;
  placeholderText?: string;
}

export interface ModalResult {
  confirm: boolean;
  cancel: boolean;
  content?: string;
}

export interface SheetChoice<T> {
  label: string;
  value: T;
  /** Smaller grey line under the label. */
  note?: string;
}

export interface Overlays {
  showToast(options: ToastOptions): void;
  hideToast(): void;
  showLoading(title: string, mask: boolean): void;
  hideLoading(): void;
  showModal(options: ModalOptions): Promise<ModalResult>;
  /** Resolves with the chosen value, or null when cancelled. */
  showSheet<T>(title: string, choices: SheetChoice<T>[], cancelText?: string): Promise<T | null>;
  /** A small notice, like a toast without icon: what the preview cannot do. */
  notice(text: string): void;
  /** The nickname chip above the keyboard; returns the function that removes it. */
  offerNickname(nickname: string, onPick: () => void): () => void;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const ICONS: Record<string, string> = { success: '✓', error: '✕', loading: '' };

export function createOverlays(root: HTMLElement): Overlays {
  /** WeChat shows one toast or loading at a time: each replaces the last. */
  let toast: { node: HTMLElement; timer: ReturnType<typeof setTimeout> | null; loading: boolean } | null = null;

  function removeToast(): void {
    if (!toast) return;
    if (toast.timer) clearTimeout(toast.timer);
    toast.node.remove();
    toast = null;
  }

  function placeToast(title: string, icon: string, mask: boolean, duration: number | null, loading: boolean): void {
    removeToast();
    const node = element('div', `pv-toast${mask ? ' pv-toast--mask' : ''}`);
    node.id = 'pv-toast';
    node.setAttribute('role', 'status');
    const box = element('div', `pv-toast__box${icon === 'none' ? ' pv-toast__box--text' : ''}`);
    if (icon === 'loading') box.appendChild(element('div', 'pv-toast__spinner'));
    else if (icon !== 'none') box.appendChild(element('div', 'pv-toast__icon', ICONS[icon] ?? ''));
    box.appendChild(element('div', 'pv-toast__title', title));
    node.appendChild(box);
    root.appendChild(node);
    toast = { node, loading, timer: duration === null ? null : setTimeout(removeToast, duration) };
  }

  function dialog(className: string): { mask: HTMLElement; panel: HTMLElement; close(): void } {
    const mask = element('div', `pv-mask ${className}`);
    const panel = element('div', `${className}__panel`);
    mask.appendChild(panel);
    root.appendChild(mask);
    return { mask, panel, close: () => mask.remove() };
  }

  return {
    showToast(options) {
      placeToast(options.title, options.icon ?? 'success', options.mask === true, options.duration ?? 1500, false);
    },
    hideToast() {
      if (toast && !toast.loading) removeToast();
    },
    showLoading(title, mask) {
      placeToast(title, 'loading', mask, null, true);
    },
    hideLoading() {
      if (toast?.loading) removeToast();
    },

    showModal(options) {
      return new Promise((resolve) => {
        const { panel, close } = dialog('pv-modal');
        panel.id = 'pv-modal';
        panel.setAttribute('role', 'dialog');
        if (options.title) panel.appendChild(element('div', 'pv-modal__title', options.title));
        let input: HTMLTextAreaElement | null = null;
        if (options.editable) {
          input = element('textarea', 'pv-modal__input');
          input.placeholder = options.placeholderText ?? '';
          input.value = options.content ?? '';
          panel.appendChild(input);
        } else if (options.content) {
          panel.appendChild(element('div', 'pv-modal__content', options.content));
        }
        const actions = element('div', 'pv-modal__actions');
        const finish = (confirm: boolean) => {
          close();
          resolve(input ? { confirm, cancel: !confirm, content: input.value } : { confirm, cancel: !confirm });
        };
        if (options.showCancel !== false) {
          const cancel = element('button', 'pv-modal__button pv-modal__cancel', options.cancelText ?? '取消');
          cancel.style.color = options.cancelColor ?? '';
          onPress(cancel, () => finish(false));
          actions.appendChild(cancel);
        }
        const confirm = element('button', 'pv-modal__button pv-modal__confirm', options.confirmText ?? '确定');
        confirm.style.color = options.confirmColor ?? '';
        onPress(confirm, () => finish(true));
        actions.appendChild(confirm);
        panel.appendChild(actions);
      });
    },

    showSheet(title, choices, cancelText = '取消') {
      return new Promise((resolve) => {
        const { mask, panel, close } = dialog('pv-sheet');
        panel.setAttribute('role', 'dialog');
        if (title) panel.appendChild(element('div', 'pv-sheet__title', title));
        const finish = (value: (typeof choices)[number]['value'] | null) => {
          close();
          resolve(value);
        };
        choices.forEach((choice, index) => {
          const button = element('button', 'pv-sheet__item');
          button.dataset['index'] = String(index);
          button.appendChild(element('span', 'pv-sheet__label', choice.label));
          if (choice.note) button.appendChild(element('span', 'pv-sheet__note', choice.note));
          onPress(button, () => finish(choice.value));
          panel.appendChild(button);
        });
        const cancel = element('button', 'pv-sheet__item pv-sheet__cancel', cancelText);
        onPress(cancel, () => finish(null));
        panel.appendChild(cancel);
        onPress(mask, (event) => {
          if (event.target === mask) finish(null);
        });
      });
    },

    notice(text) {
      placeToast(text, 'none', false, 2500, false);
    },

    offerNickname(nickname, onPick) {
      const chip = element('div', 'pv-nickname');
      chip.id = 'pv-nickname-offer';
      chip.appendChild(element('span', 'pv-nickname__label', '使用微信昵称'));
      chip.appendChild(element('span', 'pv-nickname__value', nickname));
      // mousedown/touchstart would blur the input before the pick: keep the focus until picked.
      chip.addEventListener('mousedown', (event) => event.preventDefault());
      chip.addEventListener('touchstart', (event) => event.preventDefault(), { passive: false });
      // touchend only reaches the chip when the touch began on it.
      chip.addEventListener('touchend', (event) => {
        event.preventDefault();
        onPick();
      });
      onPress(chip, () => onPick());
      root.appendChild(chip);
      return () => chip.remove();
    },
  };
}
