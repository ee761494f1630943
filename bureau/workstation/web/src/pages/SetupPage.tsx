/** First run (or a new token): the bureau API address, this workstation's token and, for https, the certificate files. */
import { Alert, Button, Card, Collapse, Form, Input, Typography } from 'antd'
import { useState } from 'react'
import { api, ApiError } from '../api'

type TlsPaths = { ca?: string; clientCert?: string; clientKey?: string }

export function SetupForm({ onDone, initialServer, initialTls }: { onDone: () => void; initialServer?: string; initialTls?: TlsPaths }) {
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [form] = Form.useForm()
  const submit = async (v: { server: string; token: string } & TlsPaths) => {
    setBusy(true)
    setError(undefined)
    form.setFields((['ca', 'clientCert', 'clientKey'] as const).map((name) => ({ name, errors: [] })))
    const paths = Object.fromEntries((['ca', 'clientCert', 'clientKey'] as const).map((k) => [k, v[k]?.trim() ?? '']).filter(([, p]) => p !== ''))
    try {
      await api('/api/setup', { method: 'POST', body: { server: v.server.trim(), token: v.token.trim(), ...paths } })
      onDone()
    } catch (e) {
      setError((e as Error).message)
      // A certificate file that cannot be used: the message under that field too (the TLS panel is always rendered).
      const field = e instanceof ApiError ? e.field : undefined
      if (field === 'ca' || field === 'clientCert' || field === 'clientKey') form.setFields([{ name: field, errors: [(e as Error).message] }])
    } finally {
      setBusy(false)
    }
  }
  return (
    <Form form={form} layout="vertical" onFinish={submit} initialValues={{ server: initialServer ?? '', ...initialTls }} requiredMark={false}>
      <Form.Item label="举报服务器的工作站接口地址" name="server" rules={[{ required: true, message: '请填写地址，例如 http://10.1.2.3:8081' }]} extra="由管理员提供，例如 http://10.1.2.3:8081（不是群众举报用的公网地址）。">
        <Input data-testid="setup-server" placeholder="http://主机:端口" autoComplete="off" />
      </Form.Item>
      <Form.Item label="工作站令牌" name="token" rules={[{ required: true, message: '请粘贴令牌' }]} extra="管理员在服务器上运行 npm run bureau -- token create 生成，以 cw1_ 开头，只显示一次。">
        <Input.Password data-testid="setup-token" placeholder="cw1_…" autoComplete="off" />
      </Form.Item>
      <Collapse
        size="small"
        style={{ marginBottom: 16 }}
        defaultActiveKey={initialTls && Object.keys(initialTls).length > 0 ? ['tls'] : []}
        items={[
          {
            key: 'tls',
            label: 'https 证书（可选，由管理员提供）',
            forceRender: true,
            children: (
              <>
                <Form.Item label="服务器证书的 CA 文件" name="ca" extra="签发服务器证书的 CA（PEM），写完整路径。只信任它签发的服务器证书。">
                  <Input data-testid="setup-ca" placeholder="/home/staff/bureau-ca.pem" autoComplete="off" />
                </Form.Item>
                <Form.Item label="本工作站的客户端证书" name="clientCert" extra="服务器要求客户端证书（mTLS）时填写，与私钥一起给出。">
                  <Input data-testid="setup-client-cert" placeholder="/home/staff/workstation.pem" autoComplete="off" />
                </Form.Item>
                <Form.Item label="客户端证书的私钥" name="clientKey">
                  <Input data-testid="setup-client-key" placeholder="/home/staff/workstation.key" autoComplete="off" />
                </Form.Item>
              </>
            ),
          },
        ]}
      />
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="setup-error" /> : null}
      <Button type="primary" htmlType="submit" loading={busy} data-testid="setup-save">
        检查并保存
      </Button>
    </Form>
  )
}

export function SetupPage({ onDone }: { onDone: () => void }) {
  return (
    <div className="ws-center">
      <Card title="扫黑办工作站 · 连接设置">
        <Typography.Paragraph>第一次使用本工作站：请填写举报服务器的工作站接口地址和本工作站的令牌。令牌保存在本机的配置文件中（只有当前系统用户可读）。</Typography.Paragraph>
        <SetupForm onDone={onDone} />
      </Card>
    </div>
  )
}
