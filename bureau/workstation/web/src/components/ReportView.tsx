/**
 * Every field of a decrypted report, in the sections and order of the phone's review page
 * (src/report/review). Everything is React text: markup, script and links in a report stay
 * characters on the screen. Links are never made clickable; they can be copied.
 */
import { Alert, App, Button, Descriptions, Space, Tag, Typography } from 'antd'
import { STEP_TITLES, STEPS } from '@/domain/draft-model'
import { formatHappenedAt } from '@/domain/validators'
import type { ReactNode } from 'react'
import type { CaseReport } from '../../../shared/types'
import { categoryName, formatBytes } from '../format'

const EMPTY = '未填写'

function Text({ value, testId }: { value: string; testId?: string }) {
  return value.trim() ? (
    <pre className="ws-pre" data-testid={testId}>
      {value}
    </pre>
  ) : (
    <Typography.Text type="secondary">{EMPTY}</Typography.Text>
  )
}

/** Copies text to the clipboard, and says whether it worked. */
export function useCopy(): (text: string) => Promise<void> {
  const { message } = App.useApp()
  return async (text: string) => {
    try {
      await navigator.clipboard.writeText(text)
      void message.success('已复制')
    } catch {
      void message.error('无法访问剪贴板：请手动选中文字复制。')
    }
  }
}

/** A link as text, with a copy button: never an <a>, never loaded. */
export function LinkText({ url, print }: { url: string; print?: boolean }) {
  const copy = useCopy()
  return (
    <Space align="start" className="ws-link">
      <code className="ws-link__text" data-testid="report-link">
        {url}
      </code>
      {print ? null : (
        <Button size="small" onClick={() => void copy(url)} data-testid="copy-link">
          复制
        </Button>
      )}
    </Space>
  )
}

function idMasked(id: string): string {
  return id.length > 10 ? `${id.slice(0, 6)}********${id.slice(-4)}` : id
}

export function ReportView({ report, branchName, print }: { report: CaseReport; branchName: string; print?: boolean }) {
  const n = (step: (typeof STEPS)[number]) => STEPS.indexOf(step) + 1
  const links = report.links.filter((l) => l.trim())
  const item = (label: string, children: ReactNode) => ({ key: label, label, children })
  const box = (step: (typeof STEPS)[number], items: ReturnType<typeof item>[]) => (
    <Descriptions bordered size="small" column={1} title={`${n(step)}. ${STEP_TITLES[step]}`} style={{ marginBottom: 16 }} styles={{ label: { width: 140 } }} items={items} data-testid={`section-${step}`} />
  )
  return (
    <div data-testid="report">
      {report.truncated.length > 0 ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={`以下内容过长，页面上只显示前一部分（导出文件中是完整内容）：${report.truncated.slice(0, 10).join('、')}`} />
      ) : null}
      {!report.schema.startsWith('clue-report/') ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={`举报格式${report.schema}：内容按已知字段显示。`} /> : null}
      {box('category', [item('类别', categoryName(report.category))])}
      {box('details', [
        item('发生时间', formatHappenedAt(report.happenedAt) || report.happenedAt || EMPTY),
        item('受害经过', <Text value={report.description} testId="report-description" />),
        item(
          '网址链接',
          links.length === 0 ? (
            <Typography.Text type="secondary">{EMPTY}</Typography.Text>
          ) : (
            <Space direction="vertical">
              {links.map((l, i) => (
                <LinkText key={i} url={l} print={print} />
              ))}
            </Space>
          ),
        ),
        item('对方账号', <Text value={report.party.accounts} />),
        item('对方电话', <Text value={report.party.phones} testId="report-phones" />),
        item('对方网站/App', <Text value={report.party.websites} />),
        ...report.extra.map((e) => item(e.label, <Text value={e.value} />)),
      ])}
      {box(
        'evidence',
        report.attachments.length === 0
          ? [item('材料', '未添加（只提交了文字）')]
          : report.attachments.map((a, i) => item(`${i + 1}. ${a.label}`, `${a.name}（${formatBytes(a.size)}）`)),
      )}
      {box('branch', [item('受理单位', branchName)])}
      {box(
        'reporter',
        report.reporter.anonymous
          ? [item('方式', <Tag>匿名举报</Tag>)]
          : [
              item('方式', <Tag color="blue">实名举报</Tag>),
              item('姓名', report.reporter.name || EMPTY),
              item('手机', report.reporter.mobile || EMPTY),
              item('身份证号', report.reporter.idNumber ? (print ? idMasked(report.reporter.idNumber) : report.reporter.idNumber) : EMPTY),
            ],
      )}
      {box('declaration', [item('声明', report.declaredAt ? `已确认内容真实，知悉诬告责任（${report.declaredAt}）` : EMPTY)])}
    </div>
  )
}
