/**
 * Every page path, declared once. app.config.ts builds the page list from here and pages navigate
 * with navigation.ts, so a renamed page cannot leave a dangling link.
 */
export const MAIN_PAGES = {
  home: 'pages/index/index',
  notice: 'pages/notice/index',
  drafts: 'pages/drafts/index',
  privacy: 'pages/privacy/index',
  /** Reports being sent or waiting for the network (list, and one report with ?id=). */
  outbox: 'pages/outbox/index',
  /** The receipt (查询码) of an accepted report, until the resident confirms saving it (?id=). */
  receipt: 'pages/receipt/index',
  /**
   * The case page, opened with the 查询码 (or ?case=<caseId> for a case kept on this phone):
   * status, the conversation with the bureau, 回复 and 补充材料. In H5 a chunk of its own, never
   * in the first load (it carries the crypto code).
   */
  case: 'pages/case/index',
} as const

/** The report flow is a subpackage so the home page loads fast on a slow network. */
export const REPORT_ROOT = 'report'
export const REPORT_PAGES = {
  category: 'category/index',
  details: 'details/index',
  evidence: 'evidence/index',
  branch: 'branch/index',
  reporter: 'reporter/index',
  declaration: 'declaration/index',
  review: 'review/index',
  /** Encrypting and sending, with progress (?id=). */
  submit: 'submit/index',
} as const

export type MainPage = keyof typeof MAIN_PAGES
export type ReportPage = keyof typeof REPORT_PAGES
export type PageName = MainPage | ReportPage

export function pathOf(page: PageName): string {
  if (page in MAIN_PAGES) return `/${MAIN_PAGES[page as MainPage]}`
  return `/${REPORT_ROOT}/${REPORT_PAGES[page as ReportPage]}`
}

export function urlOf(page: PageName, params: Record<string, string | undefined> = {}): string {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')
  return query ? `${pathOf(page)}?${query}` : pathOf(page)
}
