import type { DocumentType } from '../../navigation/routes';

/**
 * 用户协议 and 隐私政策 as shown by pages/agreement: a template that reads as finished text.
 *
 * BEFORE REVIEW, FILL IN `LEGAL_DETAILS` (and read every section against what your mini-program
 * really does; README「上线前：协议与隐私政策」). The defaults are neutral wording, so the pages
 * never show a placeholder to a person; they do not name anyone, and a reviewer expects a name.
 * Keep the privacy policy consistent with the 用户隐私保护指引 filled in the MP console, which
 * WeChat shows through wx.openPrivacyContract.
 */
export const LEGAL_DETAILS = {
  /** FILL IN: the operator's full name, as the MP account's 主体 (e.g. 某某科技有限公司). */
  operator: '本小程序的运营者',
  /** FILL IN: where people reach you, e.g. 客服邮箱 support@example.com, or the in-app 客服 entry. */
  contact: '小程序内的「客服」入口',
  /** FILL IN: the date these texts take effect (yyyy 年 m 月 d 日); bump it with every change. */
  effectiveDate: '2026 年 1 月 1 日',
};

export interface LegalDocument {
  title: string;
  /** One line under the navigation bar (the bar itself shows the title). */
  dates: string;
  sections: { heading: string; paragraphs: string[] }[];
}

function buildDocuments(details: typeof LEGAL_DETAILS): Record<DocumentType, LegalDocument> {
  const { operator, contact, effectiveDate } = details;
  const dates = `生效日期：${effectiveDate}`;
  return {
    terms: {
      title: '用户协议',
      dates,
      sections: [
        {
          heading: '一、协议的范围',
          paragraphs: [
            `本协议是你与${operator}（以下称「我们」）之间关于使用本小程序服务的约定。`,
            '请在登录前仔细阅读本协议和《隐私政策》。勾选同意并登录，即表示你已阅读并同意它们；不登录也可以浏览无需登录的内容。',
          ],
        },
        {
          heading: '二、账号与登录',
          paragraphs: [
            '你可以使用微信身份一键登录，无需设置密码，我们也不会获取你的微信密码。第一次登录时，我们为你创建账号。',
            '在我们的其他小程序中使用同一个微信登录时，你可能进入同一个账号。你可以随时在「我的」中退出登录。',
          ],
        },
        {
          heading: '三、账号资料',
          paragraphs: [
            '头像和昵称由你自行设置，须遵守法律法规和微信平台规则，不得侵犯他人的合法权益。',
            '昵称在保存时会经过微信的内容安全检查，未通过检查的昵称不会被保存。',
          ],
        },
        {
          heading: '四、手机号与账号关联',
          paragraphs: ['绑定手机号需要你在微信中授权。若该手机号已绑定另一个账号，只有在你确认之后，当前微信才会关联到那个账号。'],
        },
        {
          heading: '五、注销账号',
          paragraphs: [
            '你可以在「我的 → 账号与安全 → 注销账号」中注销。注销后，账号资料、头像、手机号和全部登录方式将被删除，且无法恢复。',
          ],
        },
        {
          heading: '六、协议的变更',
          paragraphs: ['本协议更新时，我们会在小程序内提示你并更新生效日期；更新后继续使用，即表示你同意更新后的协议。'],
        },
        {
          heading: '七、联系我们',
          paragraphs: [`如对本协议有任何疑问，请通过${contact}联系我们。`],
        },
      ],
    },
    privacy: {
      title: '隐私政策',
      dates,
      sections: [
        {
          heading: '一、我们收集的信息',
          paragraphs: [
            '登录时，微信云开发向我们提供你在本小程序中的微信身份标识（OpenID，以及可能的 UnionID），仅用于识别你的账号。',
            '我们不会获取你的微信密码、好友关系或聊天记录。',
          ],
        },
        {
          heading: '二、你主动提供的信息',
          paragraphs: [
            '头像、昵称和手机号，只在你主动设置或在微信中授权时收集，用于在小程序中展示你的资料、找回和关联账号。',
            '页面只显示手机号的部分号码。',
          ],
        },
        {
          heading: '三、信息的存储',
          paragraphs: [
            '你的账号信息存储在腾讯云开发（CloudBase）为我们提供的云数据库和云存储中，存放于中国境内，保存至你注销账号时。',
            '为了让你再次打开时无需等待，我们在你的手机上保存账号资料的副本；退出登录即删除。',
          ],
        },
        {
          heading: '四、信息的共享',
          paragraphs: [
            '除云开发（提供存储与计算）和微信（昵称的内容安全检查、手机号授权）为提供服务所必需的处理外，我们不会向任何第三方提供你的个人信息，法律法规另有规定的除外。',
          ],
        },
        {
          heading: '五、你的权利',
          paragraphs: [
            '你可以随时查看和修改你的头像、昵称，解除关联的微信，退出登录，或注销账号。注销后我们删除你的个人信息，仅保留一条不含个人信息的注销记录用于安全审计。',
          ],
        },
        {
          heading: '六、未成年人',
          paragraphs: ['若你是未满 14 周岁的未成年人，请在监护人的同意和指导下使用本小程序。'],
        },
        {
          heading: '七、联系我们',
          paragraphs: [`如对本政策或你的个人信息有任何疑问，请通过${contact}联系${operator}。`],
        },
      ],
    },
  };
}

export const DOCUMENTS: Record<DocumentType, LegalDocument> = buildDocuments(LEGAL_DETAILS);

export function documentFor(type: string | undefined): LegalDocument {
  return type === 'privacy' ? DOCUMENTS.privacy : DOCUMENTS.terms;
}
