/** One case: its row (metadata, status) and the decrypted report, from the local server. */
import type { CaseReport, CaseRow } from '../../../shared/types'
import { api } from '../api'
import { useLoad } from './useLoad'

export function useCase(id: string) {
  const { data, error, loading, setData } = useLoad(() => api<{ row: CaseRow; report: CaseReport | null }>(`/api/cases/${id}`), [id])
  const setRow = (row: CaseRow) => data && setData({ ...data, row })
  return { row: data?.row, report: data?.report ?? null, error, loading, setRow }
}
