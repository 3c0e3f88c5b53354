/**
 * What 编辑资料 does with the nickname field's value when it loses focus (blur) or when 保存 is
 * tapped (submit). WeChat fires both for one tap on 保存, and the keyboard's nickname suggestion
 * can land after the blur, so the page asks this on both and only one of them saves.
 */
export type NicknameStep =
  /** Send it to the function. */
  | { kind: 'save' }
  /** The field holds the saved nickname again: nothing to send, and an error about another value no longer applies. */
  | { kind: 'unchanged' }
  /** 保存 with an empty field: say so on the device (NICKNAME_EMPTY), send nothing. */
  | { kind: 'empty' }
  /** Nothing to do (not a string; an empty field left on blur; the value just rejected, left again). */
  | { kind: 'ignore' };

export interface NicknameState {
  /** The nickname the account has ('' when none). */
  saved: string;
  /** The last value the function refused ('' when none): leaving the field again does not resend it. */
  rejected: string;
}

export function nicknameStep(value: unknown, state: NicknameState, trigger: 'blur' | 'submit'): NicknameStep {
  if (typeof value !== 'string') return { kind: 'ignore' };
  const nickName = value.trim();
  if (nickName === '') return trigger === 'submit' ? { kind: 'empty' } : { kind: 'ignore' };
  if (nickName === state.saved) return { kind: 'unchanged' };
  if (trigger === 'blur' && nickName === state.rejected) return { kind: 'ignore' };
  return { kind: 'save' };
}
