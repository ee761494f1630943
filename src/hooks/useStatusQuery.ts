/** The status page's logic: check what was typed, ask the server, and say the answer plainly. */
import { useCallback, useRef, useState } from 'react'
import { parseReceiptInput } from '@/outbox'
import { queryStatus, type StatusResult } from '@/services/api'
import { ApiError, messageOf } from '@/services/request'

export { STATUS_EXPLANATIONS, STATUS_LABELS } from '@/domain/status'

export const NOT_FOUND_MESSAGE = '查询码不正确或举报不存在'

export function useStatusQuery() {
  const [input, setInput] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [result, setResult] = useState<StatusResult | undefined>()
  const [loading, setLoading] = useState(false)
  const busy = useRef(false)

  const change = useCallback((value: string) => {
    setInput(value)
    setError(undefined)
  }, [])

  const submit = useCallback(async () => {
    if (busy.current) return
    const check = parseReceiptInput(input)
    setResult(undefined)
    if (!check.ok) {
      setError(check.message)
      return
    }
    busy.current = true
    setLoading(true)
    setError(undefined)
    try {
      setResult(await queryStatus(check.receipt))
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'RECEIPT_NOT_FOUND' || e.code === 'INVALID_RECEIPT')) setError(NOT_FOUND_MESSAGE)
      else setError(messageOf(e))
    } finally {
      busy.current = false
      setLoading(false)
    }
  }, [input])

  return { input, change, submit, error, result, loading }
}
