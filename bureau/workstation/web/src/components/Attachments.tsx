/**
 * The case's files, decrypted by the local process: pictures inline, PDFs in a sandboxed frame
 * (no script, no origin; the file itself is served with a sandbox CSP), everything else as a
 * download. Each shows what its bytes are and its integrity check.
 */
import { Alert, Button, Card, Empty, List, Space, Tag, Typography } from 'antd'
import type { FileInfo } from '../../../shared/types'
import { api, caseFileUrl } from '../api'
import { formatBytes } from '../format'
import { useLoad } from '../hooks/useLoad'

const INTEGRITY: Record<FileInfo['integrity'], { color: string; text: string }> = {
  aead: { color: 'green', text: '完整性校验通过（加密认证）' },
  'sha256-match': { color: 'green', text: '与举报记录的 SHA-256 一致' },
  'sha256-mismatch': { color: 'red', text: '与举报记录不一致' },
  failed: { color: 'red', text: '已损坏，未通过校验' },
  missing: { color: 'orange', text: '服务器上没有这个文件' },
}

export function IntegrityTag({ file }: { file: FileInfo }) {
  const i = INTEGRITY[file.integrity]
  return (
    <Tag color={i.color} data-testid={`integrity-${file.n}`}>
      {i.text}
    </Tag>
  )
}

function Preview({ id, file, print }: { id: string; file: FileInfo; print?: boolean }) {
  if (!file.sha256 || file.integrity === 'failed') return null
  if (file.view === 'image') return <img className="ws-image" src={caseFileUrl(id, file.n, true)} alt={`附件 ${file.n + 1}`} data-testid={`image-${file.n}`} />
  if (file.view === 'pdf' && !print) {
    return <iframe className="ws-pdf" sandbox="" src={caseFileUrl(id, file.n, true)} title={`PDF 附件 ${file.n + 1}`} data-testid={`pdf-${file.n}`} />
  }
  return null
}

export function Attachments({ id, print }: { id: string; print?: boolean }) {
  const { data, error, loading } = useLoad(() => api<{ files: FileInfo[] }>(`/api/cases/${id}/files`), [id])
  return (
    <Card title="证明材料" size="small" loading={loading} style={{ marginBottom: 16 }} data-testid="attachments">
      {error ? <Alert type="error" showIcon message={error} /> : null}
      <List
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="这条举报没有附件" /> }}
        dataSource={data?.files ?? []}
        renderItem={(f) => (
          <List.Item key={f.n} data-testid={`file-${f.n}`}>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Space wrap>
                <Typography.Text strong>
                  {f.n + 1}. [{f.label}] {f.name}
                </Typography.Text>
                <span>{formatBytes(f.size)}</span>
                {f.detected ? <Tag>{f.detected}</Tag> : null}
                <IntegrityTag file={f} />
                {!print && f.sha256 ? (
                  <Button size="small" href={caseFileUrl(id, f.n, false)} download data-testid={`download-${f.n}`}>
                    下载
                  </Button>
                ) : null}
              </Space>
              {f.sha256 ? (
                <Typography.Text type="secondary" copyable={!print} className="ws-hash">
                  SHA-256：{f.sha256}
                </Typography.Text>
              ) : null}
              {f.message ? <Alert type={f.integrity === 'aead' || f.integrity === 'sha256-match' ? 'info' : 'error'} showIcon message={f.message} /> : null}
              {f.view === 'download' && f.sha256 ? <Typography.Text type="secondary">此类文件不在工作站中打开，请下载后用专用电脑查看。</Typography.Text> : null}
              <Preview id={id} file={f} print={print} />
            </Space>
          </List.Item>
        )}
      />
    </Card>
  )
}
