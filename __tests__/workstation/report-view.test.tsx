/**
 * @jest-environment jsdom
 *
 * Decrypted report content is hostile: the case view renders it as text. A report with HTML,
 * script tags, javascript: links, SVG with script and enormous fields puts no element, no link and
 * no handler into the page (the browser test checks the same in Chromium under the real CSP).
 */
import { render, screen } from '@testing-library/react'
import { App as AntApp } from 'antd'
import { toCaseReport, FIELD_LIMIT } from '../../bureau/workstation/server/report'
import { ReportView } from '../../bureau/workstation/web/src/components/ReportView'

beforeAll(() => {
  Object.defineProperty(window, 'matchMedia', {
    value: () => ({ matches: false, addListener: () => undefined, removeListener: () => undefined, addEventListener: () => undefined, removeEventListener: () => undefined }),
  })
})

const SCRIPT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><svg onload="window.__pwned=3"><script>1</script></svg><b>b</b>'

const hostile = {
  schema: 'clue-report/report@3',
  category: 'troll',
  branch: 'yd<script>',
  happenedAt: '<i>昨天</i>',
  description: `${SCRIPT}${'长'.repeat(FIELD_LIMIT + 5000)}`,
  links: ['javascript:window.__pwned=4', '<a href="javascript:alert(1)">x</a>', 42, { toString: 'x' }],
  party: { accounts: SCRIPT, phones: ['not', 'a', 'string'], websites: '<iframe src="javascript:alert(1)"></iframe>' },
  extra: { '<b>key</b>': SCRIPT, __proto__: { polluted: true } },
  reporter: { anonymous: false, name: SCRIPT, mobile: '<u>1</u>', idNumber: '<img src=x>' },
  declaration: { declaredAt: '<script>2</script>' },
  attachments: [{ n: 0, label: '<b>截图</b>', name: '<img src=x onerror=alert(1)>.svg', mime: 'image/svg+xml', size: 10 }],
  unknown: SCRIPT,
}

test('hostile fields are bounded strings, unknown members dropped', () => {
  const r = toCaseReport(hostile as unknown as Record<string, unknown>)
  expect(r.description.length).toBe(FIELD_LIMIT + 1)
  expect(r.truncated).toContain('受害经过')
  expect(r.party.phones).toBe('')
  expect(r.links).toEqual(['javascript:window.__pwned=4', '<a href="javascript:alert(1)">x</a>', '42', ''])
  expect(Object.keys(r)).not.toContain('unknown')
  expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
})

test('the case view renders every hostile value as text: no element, link or handler gets in', () => {
  const report = toCaseReport(hostile as unknown as Record<string, unknown>)
  const { container } = render(
    <AntApp>
      <ReportView report={report} branchName="大同市公安局御东分局扫黑办" />
    </AntApp>,
  )
  expect(screen.getByTestId('report-description').textContent!.startsWith(SCRIPT)).toBe(true)
  expect(screen.getByTestId('report-description').children.length).toBe(0)
  // (Ant Design's own icons are the only SVG in the page.)
  for (const tag of ['script', 'img', 'svg', 'iframe', 'b', 'i', 'u', 'a']) expect([tag, [...container.querySelectorAll(tag)].filter((el) => !el.closest('.anticon')).length]).toEqual([tag, 0])
  const attrs = [...container.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => `${a.name}=${a.value}`))
  expect(attrs.filter((a) => /^on|javascript:|^href=|^src=/i.test(a))).toEqual([])
  expect(screen.getAllByTestId('report-link').map((l) => l.textContent)).toEqual(['javascript:window.__pwned=4', '<a href="javascript:alert(1)">x</a>', '42'])
  expect(container.textContent).toContain('以下内容过长')
  expect((window as unknown as { __pwned?: unknown }).__pwned).toBeUndefined()
})
