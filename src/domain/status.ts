/**
 * The public status of a report as the resident sees it on the status page, and as the bureau
 * sets it with `npm run bureau -- status`. One copy for both, so they always say the same thing.
 */
export type PublicStatus = 'received' | 'reviewing' | 'closed'

export const STATUS_LABELS: Readonly<Record<PublicStatus, string>> = {
  received: '已收到',
  reviewing: '核查中',
  closed: '已办结',
}

export const STATUS_EXPLANATIONS: Readonly<Record<PublicStatus, string>> = {
  received: '您的举报已送达公安机关，正在等待核查。',
  reviewing: '公安机关正在核查您举报的线索。',
  closed: '这条线索的核查工作已经结束。',
}
