import { userPage } from '../../behaviors/user-page';
import { setChanged } from '../../behaviors/changed-data';
import type { ExportHandover } from '../../composition-root';
import { getAccountService, getAuthService, handOverExport, navigator } from '../../composition-root';
import { loginStep, ROUTES } from '../../navigation/routes';
import type { ExportSummaryView } from '../../presenters/personal-data-view';
import { toExportSummaryView } from '../../presenters/personal-data-view';
import { toUserView } from '../../presenters/user-view';

/**
 * 下载我的信息 (PIPL 查阅、复制): what an export holds, in words; 生成 asks the login function for
 * everything stored about the account (exportMyData, one per person every few minutes:
 * RATE_LIMITED says how long to wait); then the summary, and 复制内容 / 保存为文件. WeChat cannot
 * "save" a JSON file to the phone: 保存为文件 writes it (or downloads a large one from cloud
 * storage) and opens the share sheet, to send it to 文件传输助手 or a chat. Closing the sheet is no
 * failure, and says nothing.
 */

type Status = 'idle' | 'loading' | 'ready';

/**
 * The export each page instance shows, outside `data`: a document can be large, and setData
 * copies everything it is given to the view layer, which needs only the summary.
 */
const handovers = new WeakMap<object, ExportHandover>();

Component({
  behaviors: [userPage],
  data: {
    status: 'idle' as Status,
    summary: null as ExportSummaryView | null,
    /** The account the shown export belongs to: another account on this device must not see it. */
    exportOwner: '',
    copying: false,
    saving: false,
  },
  methods: {
    showUser() {
      const user = getAuthService().currentUser();
      setChanged(this, { user: toUserView(user) });
      this.tellSessionNotice();
      if (this.data.exportOwner !== '' && user?.id !== this.data.exportOwner) this.forgetExport();
    },
    forgetExport() {
      handovers.delete(this);
      this.setData({ status: 'idle', summary: null, exportOwner: '' });
    },
    onLoginTap() {
      void navigator.navigate(loginStep(ROUTES.personalData));
    },
    async onGenerateTap() {
      if (this.data.status === 'loading') return;
      const previous = this.data.status;
      this.setData({ status: 'loading', errorMessage: '', notice: '' });
      try {
        const result = await getAccountService().exportMyData();
        const handover = handOverExport(result);
        handovers.set(this, handover);
        this.setData({
          status: 'ready',
          summary: toExportSummaryView(result),
          exportOwner: getAuthService().currentUser()?.id ?? '',
        });
        // WeChat opens the share sheet only in answer to a tap: the file is made now, so that
        // 保存为文件 opens the sheet at once. A failure here is tried again, and told, on that tap.
        handover.prepareFile().catch(() => undefined);
      } catch (error) {
        this.setData({ status: previous });
        this.showFailure(error);
      }
    },
    async onCopyTap() {
      const handover = handovers.get(this);
      if (!handover || this.data.copying) return;
      this.setData({ copying: true, errorMessage: '' });
      try {
        await handover.copy();
      } catch (error) {
        this.showFailure(error);
      } finally {
        this.setData({ copying: false });
      }
    },
    async onSaveTap() {
      const handover = handovers.get(this);
      if (!handover || this.data.saving) return;
      this.setData({ saving: true, errorMessage: '' });
      try {
        await handover.save();
      } catch (error) {
        this.showFailure(error);
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
