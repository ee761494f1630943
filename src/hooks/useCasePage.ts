/**
 * The case page's logic: open a case with the 查询码 (derived in the worker, with progress) or
 * from a case kept on this phone, show its status and conversation, mark bureau messages not seen
 * before, and refresh when a message of this case leaves the outbox (it is on the server now).
 */
import Taro, { useRouter } from '@tarojs/taro'
import { useCallback, useEffect, useRef, useState } from 'react'
import { parseReceiptInput } from '@/outbox/codes'
import { CaseOpenError, openCaseWithReceipt, openConversation, type ConversationEntry } from '@/cases/open'
import { rememberCaseKeys, type CaseKeyMaterial } from '@/cases/keys'
import { findSavedCase, forgetSavedCase, updateSavedCase } from '@/cases/saved'
import { retryNow } from '@/outbox/actions'
import { canWithdrawMessage, withdrawMessage } from '@/outbox/message/actions'
import type { MessageJob } from '@/outbox/types'
import { files } from '@/platform/files'
import { fetchCase, type CaseView } from '@/services/case-api'
import { messageOf } from '@/services/request'
import { listMessageJobs } from '@/outbox/store'
import { useCaseMessageJobs } from './useOutbox'
import { useSavedCases } from './useSavedCases'

export type CaseStage = 'enter' | 'opening' | 'open'

/** Bureau messages to mark as new: not seen on this phone (a saved case), else those after the resident's last message. */
export function unreadIds(entries: readonly ConversationEntry[], seen: readonly string[] | undefined): Set<string> {
  const bureau = entries.filter((e) => e.meta.from === 'bureau')
  if (seen) return new Set(bureau.filter((e) => !seen.includes(e.meta.msgId)).map((e) => e.meta.msgId))
  let lastOwn = -1
  entries.forEach((e, i) => {
    if (e.meta.from === 'resident') lastOwn = i
  })
  return new Set(entries.slice(lastOwn + 1).filter((e) => e.meta.from === 'bureau').map((e) => e.meta.msgId))
}

export function useCasePage() {
  const { params } = useRouter()
  const [stage, setStage] = useState<CaseStage>('enter')
  const [input, setInput] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [progress, setProgress] = useState(0)
  const [keys, setKeys] = useState<CaseKeyMaterial | undefined>()
  const [view, setView] = useState<CaseView | undefined>()
  const [entries, setEntries] = useState<ConversationEntry[]>([])
  const [unread, setUnread] = useState<Set<string>>(new Set())
  const [refreshing, setRefreshing] = useState(false)
  const busy = useRef(false)
  const known = useRef(new Map<string, ConversationEntry>())
  const saved = useSavedCases()
  const jobs = useCaseMessageJobs(keys?.caseId)

  /** Reads the conversation (and the status, unless `fresh` is given) for these keys. */
  const load = useCallback(async (k: CaseKeyMaterial, fresh?: CaseView) => {
    const v = fresh ?? (await fetchCase(k.auth))
    const list = await openConversation(k, v, known.current)
    for (const e of list) known.current.set(e.meta.msgId, e)
    const savedCase = findSavedCase(k.caseId)
    setUnread(unreadIds(list, savedCase?.seen))
    if (savedCase) updateSavedCase(k.caseId, { seen: list.filter((e) => e.meta.from === 'bureau').map((e) => e.meta.msgId), unread: 0 })
    setView(v)
    setEntries(list)
  }, [])

  const enter = useCallback(
    async (k: CaseKeyMaterial, fresh?: CaseView) => {
      rememberCaseKeys(k)
      setKeys(k)
      await load(k, fresh)
      setStage('open')
      // Messages that waited for the 查询码 (the app was closed before they were encrypted) go now.
      for (const job of listMessageJobs(k.caseId)) if (job.lastError && job.phase === 'encrypting') void retryNow(job.id)
    },
    [load],
  )

  const change = useCallback((value: string) => {
    setInput(value)
    setError(undefined)
  }, [])

  /** 打开: checks the digits, derives in the worker, opens the case. */
  const submit = useCallback(async () => {
    if (busy.current) return
    const check = parseReceiptInput(input)
    if (!check.ok) {
      setError(check.message)
      return
    }
    busy.current = true
    setStage('opening')
    setProgress(0)
    setError(undefined)
    try {
      const opened = await openCaseWithReceipt(check.receipt, setProgress)
      await enter(opened.keys, opened.view)
    } catch (e) {
      setStage('enter')
      setError(e instanceof CaseOpenError ? e.message : messageOf(e))
    } finally {
      busy.current = false
    }
  }, [input, enter])

  /** Opens a case kept on this phone: no 查询码 to type, no key derivation. */
  const openSaved = useCallback(
    async (caseId: string) => {
      const c = findSavedCase(caseId)
      if (!c || busy.current) return
      busy.current = true
      setStage('opening')
      setProgress(1)
      setError(undefined)
      try {
        await enter({ caseId: c.caseId, auth: c.auth, seed: c.seed, legacy: !!c.legacy })
      } catch (e) {
        setStage('enter')
        setError(messageOf(e))
      } finally {
        busy.current = false
      }
    },
    [enter],
  )

  const refresh = useCallback(async () => {
    if (!keys || busy.current) return
    busy.current = true
    setRefreshing(true)
    try {
      await load(keys)
      setError(undefined)
    } catch (e) {
      setError(messageOf(e))
    } finally {
      busy.current = false
      setRefreshing(false)
    }
  }, [keys, load])

  const forget = useCallback((caseId: string) => forgetSavedCase(caseId), [])

  /** A message that could not be sent: try again now. */
  const retry = useCallback((job: MessageJob) => void retryNow(job.id), [])

  /** Deletes a message the server cannot have yet (its text and files leave the phone), after a confirmation. */
  const discardJob = useCallback(async (job: MessageJob) => {
    if (!canWithdrawMessage(job)) {
      await Taro.showModal({ title: '无法删除', content: '这条消息已经开始上传，服务器可能已经收到，不能再删除。', showCancel: false })
      return
    }
    const { confirm } = await Taro.showModal({ title: '删除这条未送达的消息？', content: '消息和补充的材料都会从手机上删除，不会发送。', confirmText: '删除', confirmColor: '#c62828' })
    if (!confirm) return
    const result = await withdrawMessage(job.id)
    if (result.result === 'withdrawn') for (const f of result.job.sources) await files.removeFile(f.ref).catch(() => undefined)
    else if (result.result === 'too-late') await Taro.showModal({ title: '无法删除', content: '这条消息刚刚开始上传，不能再删除。', showCancel: false })
  }, [])

  // Opened from the home page's saved case (?case=<caseId>).
  useEffect(() => {
    if (params.case) void openSaved(params.case)
  }, [params.case, openSaved])

  // A message of this case left the outbox: it is on the server now, show it from there.
  const queued = jobs.length
  const before = useRef(queued)
  useEffect(() => {
    if (queued < before.current) void refresh()
    before.current = queued
  }, [queued, refresh])

  const latest = entries.length > 0 ? entries[entries.length - 1].meta.msgId : null
  return { stage, input, change, submit, error, progress, keys, view, entries, unread, jobs, refresh, refreshing, saved, openSaved, forget, latest, retry, discardJob }
}
