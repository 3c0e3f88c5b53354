import { navigator, privacy } from '../../composition-root';
import { documentFor } from './documents';

/** 用户协议 (?type=terms) or 隐私政策 (?type=privacy): static text, readable without login. */
Component({
  data: {
    document: documentFor(undefined),
    isPrivacy: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      const document = documentFor(query.type);
      this.setData({ document, isPrivacy: query.type === 'privacy' });
      navigator.setTitle(document.title);
    },
    onOpenPrivacyContract() {
      privacy.openContract().catch((error: unknown) => console.warn('[privacy] openPrivacyContract failed', error));
    },
  },
});
