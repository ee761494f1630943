import { MAIN_PAGES, REPORT_PAGES, REPORT_ROOT } from './routes'

export default defineAppConfig({
  pages: Object.values(MAIN_PAGES),
  subPackages: [{ root: REPORT_ROOT, pages: Object.values(REPORT_PAGES) }],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#9f1d20',
    navigationBarTitleText: '涉网黑恶线索举报',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f5f5',
  },
  // The encryption worker (src/workers/crypto, built by config/crypto-worker.ts); H5 ignores it.
  workers: 'workers',
  __usePrivacyCheck__: true,
})
