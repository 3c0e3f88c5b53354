import type { DocumentType } from '../../navigation/routes';

/**
 * 用户协议 and 隐私政策 as shown by pages/agreement. TEMPLATES: replace them with your own texts
 * (and keep the privacy policy consistent with the 用户隐私保护指引 filled in the MP console,
 * which WeChat shows through wx.openPrivacyContract).
 */

export interface LegalDocument {
  title: string;
  sections: { heading: string; text: string }[];
}

export const DOCUMENTS: Record<DocumentType, LegalDocument> = {
  terms: {
    title: '用户协议',
    sections: [
      { heading: '一、协议范围', text: '本协议是你与本小程序运营者之间关于使用本小程序服务的约定。请替换为你的正式协议文本。' },
      { heading: '二、账号', text: '你可以使用微信身份登录。登录后我们为你创建账号，用于保存你主动填写的资料。你可以随时退出登录。' },
      { heading: '三、使用规范', text: '你设置的昵称、头像等信息须遵守法律法规，不得侵犯他人权益。' },
      { heading: '四、联系我们', text: '如对本协议有疑问，请通过小程序内的客服入口联系我们。' },
    ],
  },
  privacy: {
    title: '隐私政策',
    sections: [
      {
        heading: '一、我们收集的信息',
        text: '登录时，云开发向我们提供你在本小程序中的微信身份标识，用于识别你的账号；我们不会获取你的微信密码、好友或聊天信息。',
      },
      { heading: '二、你主动提供的信息', text: '头像、昵称、手机号仅在你主动设置或授权时收集，用于在小程序中展示和找回账号。' },
      { heading: '三、本机存储', text: '为了让你再次打开时无需等待，我们在本机保存你的账号资料副本；退出登录即删除。' },
      { heading: '四、你的权利', text: '你可以查看、修改你的资料，退出登录，或注销账号。请替换为你的正式隐私政策文本。' },
    ],
  },
};

export function documentFor(type: string | undefined): LegalDocument {
  return type === 'privacy' ? DOCUMENTS.privacy : DOCUMENTS.terms;
}
