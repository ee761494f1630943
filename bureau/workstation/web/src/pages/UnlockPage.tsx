/**
 * Unlock: the bureau key file(s) and the passphrase. The file's text goes to the local
 * workstation process over loopback; the key is opened there and kept only in its memory.
 */
import { Alert, Button, Card, Form, Input, Modal, Space, Typography, Upload } from 'antd'
import type { UploadFile } from 'antd'
import { useState } from 'react'
import type { SessionState } from '../../../shared/types'
import { api } from '../api'
import { SetupForm } from './SetupPage'

const MAX_KEY_FILE = 64 * 1024

export function UnlockPage({ state, onDone }: { state: SessionState; onDone: () => void }) {
  const [files, setFiles] = useState<UploadFile[]>([])
  const [texts, setTexts] = useState<Map<string, string>>(new Map())
  const [passphrase, setPassphrase] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [settings, setSettings] = useState(false)

  const unlock = async () => {
    setError(undefined)
    if (files.length === 0) return setError('请先选择私钥文件（bureau-<编号>.key.json）。')
    if (!passphrase) return setError('请输入私钥文件的口令。')
    setBusy(true)
    try {
      await api('/api/unlock', { method: 'POST', body: { keyFiles: files.map((f) => texts.get(f.uid) ?? ''), passphrase } })
      setPassphrase('')
      onDone()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="ws-center">
      <Card title="扫黑办工作站 · 解锁">
        <Typography.Paragraph>
          请选择扫黑办的私钥文件并输入口令。私钥只保存在本机工作站程序的内存中，锁定或退出时清除；空闲 {Math.round(state.idleMs / 60000) || '不到 1'} 分钟后自动锁定。
        </Typography.Paragraph>
        {state.connectionError ? <Alert type="warning" showIcon message={state.connectionError} style={{ marginBottom: 16 }} /> : null}
        <Form layout="vertical" onFinish={unlock}>
          <Form.Item label="私钥文件">
            <Upload
              accept=".json,application/json"
              multiple
              fileList={files}
              beforeUpload={(file) => {
                if (file.size > MAX_KEY_FILE) {
                  setError(`“${file.name}”太大，不是私钥文件。`)
                  return Upload.LIST_IGNORE
                }
                void file.text().then((t) => setTexts((m) => new Map(m).set(file.uid, t)))
                setFiles((list) => [...list, { uid: file.uid, name: file.name, status: 'done' }])
                return false
              }}
              onRemove={(file) => setFiles((list) => list.filter((f) => f.uid !== file.uid))}
            >
              <Button data-testid="key-file-button">选择私钥文件…</Button>
            </Upload>
          </Form.Item>
          <Form.Item label="口令">
            <Input.Password value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" data-testid="passphrase" />
          </Form.Item>
          {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="unlock-error" /> : null}
          <Space>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="unlock">
              解锁
            </Button>
            <Button onClick={() => setSettings(true)}>连接设置</Button>
          </Space>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
          服务器：{state.server ?? '—'}　令牌：{state.tokenName ?? '—'}
        </Typography.Paragraph>
      </Card>
      <Modal open={settings} title="连接设置" footer={null} onCancel={() => setSettings(false)} destroyOnClose>
        <SetupForm initialServer={state.server} initialTls={state.tls} onDone={() => { setSettings(false); onDone() }} />
      </Modal>
    </div>
  )
}
