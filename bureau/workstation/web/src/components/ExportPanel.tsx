/** Export of one case: a ZIP download or a folder on this computer. The only way plaintext reaches a disk. */
import { Alert, Button, Card, Input, Space, Typography } from 'antd'
import { useState } from 'react'
import { api } from '../api'

export function ExportPanel({ id }: { id: string }) {
  const [dir, setDir] = useState('')
  const [result, setResult] = useState<string>()
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const toFolder = async () => {
    setBusy(true)
    setError(undefined)
    setResult(undefined)
    try {
      const r = await api<{ folder: string }>(`/api/cases/${id}/export`, { method: 'POST', body: dir.trim() ? { dir: dir.trim() } : {} })
      setResult(r.folder)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Card title="导出与打印" size="small" style={{ marginBottom: 16 }} data-testid="export-panel">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert type="warning" showIcon message="导出会把解密后的举报内容（report.md、report.json、附件和对话）写到磁盘上。请只导出到加密的、有权限控制的位置，用完及时删除。" />
        <Space wrap>
          <Button href={`/api/cases/${id}/export.zip`} download data-testid="export-zip">
            下载 ZIP
          </Button>
          <Input style={{ width: 320 }} value={dir} onChange={(e) => setDir(e.target.value)} placeholder="导出到文件夹（留空则用默认导出文件夹）" data-testid="export-dir" />
          <Button onClick={() => void toFolder()} loading={busy} data-testid="export-folder">
            导出到文件夹
          </Button>
          <Button href={`#/case/${id}/print`} data-testid="print-view">
            打印视图
          </Button>
        </Space>
        {result ? (
          <Typography.Text type="success" data-testid="export-result">
            已导出到：{result}
          </Typography.Text>
        ) : null}
        {error ? <Alert type="error" showIcon message={error} data-testid="export-error" /> : null}
      </Space>
    </Card>
  )
}
