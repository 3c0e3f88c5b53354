/**
 * The preview's stand-ins for what WeChat itself shows: the avatar sheet of chooseAvatar, the
 * phone-number sheet of getPhoneNumber, the nickname offered above the keyboard, its own privacy
 * prompt and guide. Together with navigation and image loading they are the services the
 * built-in components need (builtins.ts).
 */
import { miniprogramFileUrl } from '../shared/bundle';
import type { BuiltinServices, PhoneNumberDetail, PhoneNumberRequest } from './builtins';
import type { Overlays } from './overlays';
import type { PageStack } from './page-stack';
import { normalizePhoneNumber, phoneCode, pickImageFile, sampleAvatar } from './pickers';
import type { WxCloud } from './wx/cloud';
import type { Privacy, PrivacyOptions } from './wx/privacy';
import { extensionForType, isTempPath, type TempFiles } from './wx/temp-files';

export interface NativeUiDependencies {
  overlays: Overlays;
  files: TempFiles;
  cloud: WxCloud;
  privacy: Privacy;
  /** The mini-program's name, as WeChat names it in its sheets. */
  appName: string;
  /** The simulated person: their WeChat nickname (and avatar initial) and phone number, when known. */
  person: { name: string; phoneNumber: string | null };
  stack(): PageStack;
  randomId(): string;
}

/** WeChat's own privacy prompt (no listener registered) and the guide wx.openPrivacyContract opens. */
export function privacyDialogs(overlays: Overlays, contractName: string): Pick<PrivacyOptions, 'askWithoutListener' | 'showContract'> {
  return {
    askWithoutListener: (referrer) =>
      overlays
        .showModal({
          title: '用户隐私保护提示',
          content: `在使用「${referrer}」前，请阅读${contractName}。同意后可继续使用。`,
          cancelText: '拒绝',
          confirmText: '同意',
        })
        .then((result) => result.confirm),
    showContract: () =>
      overlays
        .showModal({
          title: contractName,
          content: '这里显示你在微信公众平台「设置 → 服务内容声明 → 用户隐私保护指引」中填写的内容。（浏览器预览中的示例文字）',
          showCancel: false,
          confirmText: '我知道了',
        })
        .then(() => undefined),
  };
}

export function createNativeUi(deps: NativeUiDependencies): BuiltinServices {
  const { overlays, files, person } = deps;

  async function pickAvatar(): Promise<string | null> {
    const choice = await overlays.showSheet('', [
      { label: '用微信头像', value: 'sample' as const, note: `预览生成的「${person.name}」示例头像` },
      { label: '从相册选择', value: 'file' as const, note: '选择本机的图片文件' },
    ]);
    const blob = choice === 'sample' ? await sampleAvatar(person.name) : choice === 'file' ? await pickImageFile() : null;
    return blob ? files.add(blob, extensionForType(blob.type)) : null;
  }

  /**
   * WeChat's phone-number sheet. The real-time check (getRealtimePhoneNumber) verifies the chosen
   * number by SMS every time; the preview says so in the sheet and skips the SMS. Both hand the page
   * a code the emulator trades (cloudbase-emulator: src/openapi/phone-number.ts). With the quota used
   * up WeChat sends no code but errno 1400001, and shows its own notice unless the button turned it
   * off (phone-number-no-quota-toast="{{false}}").
   */
  async function askPhoneNumber(request: PhoneNumberRequest): Promise<PhoneNumberDetail> {
    const { openType } = request;
    const realtime = openType === 'getRealtimePhoneNumber';
    const denied = { errMsg: `${openType}:fail user deny` };
    const choice = await overlays.showSheet(
      `「${deps.appName}」申请获取并验证你的手机号${realtime ? '（实时验证：每次都会向号码发送验证短信，预览中跳过）' : ''}`,
      [
        ...(person.phoneNumber ? [{ label: person.phoneNumber, value: person.phoneNumber, note: '微信绑定号码' }] : []),
        { label: '使用其他手机号', value: 'other', note: '输入任意号码（测试码）' },
        // A code the emulator always answers with WeChat's errcode 45009.
        { label: '模拟：今日额度已用完', value: 'quota-daily', note: '服务端换号时返回 errcode 45009' },
        { label: '模拟：验证次数已用完', value: 'no-quota', note: '按钮回调 errno 1400001，不发 code' },
      ],
      '不允许',
    );
    if (choice === null) return denied;
    if (choice === 'quota-daily') return { errMsg: `${openType}:ok`, code: choice };
    if (choice === 'no-quota') {
      if (request.noQuotaToast) overlays.notice('申请获取你的手机号，但该功能使用次数已达当前小程序上限，暂时无法使用');
      return { errMsg: `${openType}:fail no quota`, errno: 1400001 };
    }
    let number: string | null = choice;
    if (choice === 'other') {
      const typed = await overlays.showModal({ title: '手机号', editable: true, placeholderText: '13800138000 或 +1-4155550100' });
      number = typed.confirm ? normalizePhoneNumber(typed.content ?? '') : null;
    }
    return number ? { errMsg: `${openType}:ok`, code: phoneCode(number, Date.now(), deps.randomId()) } : denied;
  }

  async function resolveImage(src: string): Promise<string> {
    if (isTempPath(src)) return files.displayUrl(src) ?? src;
    if (!src.startsWith('cloud://')) return miniprogramFileUrl(src);
    // <image src="cloud://..."> works in WeChat: the base library fetches a temporary URL.
    const answer = (await deps.cloud.getTempFileURL({ fileList: [src] })) as { fileList: { tempFileURL: string }[] };
    return answer.fileList[0]?.tempFileURL || src;
  }

  function navigate(openType: string, url: string, delta: number): void {
    const stack = deps.stack();
    const step =
      openType === 'navigateBack'
        ? stack.navigateBack(delta)
        : openType === 'redirect'
          ? stack.redirectTo(url)
          : openType === 'switchTab'
            ? stack.switchTab(url)
            : openType === 'reLaunch'
              ? stack.reLaunch(url)
              : stack.navigateTo(url);
    step.catch((error: unknown) => console.warn('[preview] <navigator>', error));
  }

  return {
    requestPrivacy: (referrer) => deps.privacy.request(referrer),
    hasPrivacyConsent: () => deps.privacy.agreed(),
    agreePrivacy: (buttonId) => deps.privacy.agreeByButton(buttonId),
    pickAvatar,
    askPhoneNumber,
    resolveImage,
    offerNickname: (onPick) => overlays.offerNickname(person.name, () => onPick(person.name)),
    navigate,
    notSupported: (feature) => overlays.notice(`浏览器预览不支持 ${feature}`),
  };
}
