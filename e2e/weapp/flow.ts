/**
 * A resident's walk through the WeChat build, by what is on screen: from the entry to the review
 * step, checking each step's validation on the way. Labels are the visible ones; where a page's
 * wording may change (issue 12), the steps look for the step title and the field labels only.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makePdf, makePng } from '../harness'
import type { Device } from './device'
import type { Screen } from './screen'
import type { RElement, RNode } from './wxml/render'

export const DESCRIPTION = '2023年5月我在某借贷App借款5000元，到手只有3500元，对方说逾期后每天打电话骚扰我和我的家人。'
export const LINK = 'https://loan.example.com/app/123'
export const PHONES = '13812345678, 0352-1234567'
export const LENDING_APP = '快乐借App'
export const LOAN = '网络“套路贷”犯罪'
export const YUDONG = '大同市公安局御东分局扫黑办'

export interface Fixture {
  path: string
  bytes: Buffer
  sha256: string
}

/** Two PNG screenshots and one PDF, written where a phone's album and chat would hold them. */
export function makeFixtures(large?: { width: number; height: number }): Fixture[] {
  const dir = mkdtempSync(join(tmpdir(), 'weapp-fixtures-'))
  const files: [string, Buffer][] = [
    ['album-1.png', makePng(1, large?.width, large?.height, !!large)],
    ['album-2.png', makePng(2, large?.width, large?.height, !!large)],
    ['转账记录.pdf', makePdf('transfer record 5000 CNY')],
  ]
  return files.map(([name, bytes]) => {
    const path = join(dir, name)
    writeFileSync(path, bytes)
    return { path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') }
  })
}

export function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** A receipt code on screen: four groups of four digits. */
export const RECEIPT_CODE = /^\d{4} \d{4} \d{4} \d{4}$/

export const STEP = {
  category: '选择举报类别',
  details: '描述受害经过',
  evidence: '上传证明材料',
  branch: '选择受理单位',
  reporter: '举报人信息',
  declaration: '真实性声明',
  review: '核对举报内容',
}

export async function waitForStep(screen: Screen, title: string): Promise<void> {
  await screen.waitForText(title)
  await screen.settle()
}

function firstErrorMessage(nodes: RNode[]): RElement | undefined {
  for (const n of nodes) {
    if (n.kind !== 'element') continue
    if (String(n.attrs.class ?? '').split(/\s+/).includes('field__error')) return n
    const inner = firstErrorMessage(n.children)
    if (inner) return inner
  }
  return undefined
}

/**
 * Pressing 下一步 with mistakes takes the page to the first one (issue 12): a wx.pageScrollTo
 * whose selector matches exactly the box around the first message on the page.
 */
export async function expectScrolledToFirstError(screen: Screen, scrollsBefore: number): Promise<string> {
  const scrolls = screen.mp.parts.view.scrolls
  const scroll = await screen.waitFor('a pageScrollTo after 下一步', () => scrolls.length > scrollsBefore && scrolls[scrolls.length - 1])
  const message = firstErrorMessage(screen.nodes())
  let box = message?.parent ?? null
  while (box && !String(box.attrs.id ?? '').startsWith('field-')) box = box.parent
  expect(box).toBeTruthy()
  const id = String(box!.attrs.id)
  expect(scroll).toMatchObject({ route: screen.route, selector: `#${id}`, matched: [id] })
  return id
}

/** From the details step (entry preselected 套路贷 and 御东分局) to the review step. */
export async function walkFromDetails(screen: Screen, device: Device, files: Fixture[] | 'none', options: { typing?: 'keys' | 'paste' } = {}): Promise<{ keystrokes: number[] }> {
  await waitForStep(screen, STEP.details)
  // Leaving with nothing filled in shows messages at the fields, and goes to the first of them.
  const scrolls = screen.mp.parts.view.scrolls
  let before = scrolls.length
  await screen.tap('下一步')
  await screen.waitForText(/还有 \d+ 处需要修改/)
  expect(await expectScrolledToFirstError(screen, before)).toBe('field-happenedAt')
  await screen.choose('事情是什么时候发生的？', today())
  // Key by key where the figures are wanted; pasted elsewhere (faster, same result).
  const keystrokes = options.typing === 'keys' ? await screen.type('详细描述受害经过', DESCRIPTION) : []
  if (options.typing !== 'keys') await screen.fill('详细描述受害经过', DESCRIPTION)
  await screen.fill('相关网址、链接', 'abc')
  before = scrolls.length
  await screen.tap('下一步')
  await screen.waitForText(/还有 \d+ 处需要修改/)
  // The message sits at the link's own box, and the page goes there.
  expect(await expectScrolledToFirstError(screen, before)).toBe('field-links-0')
  await screen.fill('相关网址、链接', LINK)
  await screen.fill('对方的电话号码', PHONES)
  await screen.fill('借款App或平台名称', LENDING_APP)
  await screen.tap('下一步')

  await waitForStep(screen, STEP.evidence)
  if (files !== 'none') {
    const [png1, png2, pdf] = files
    device.willPickMedia({ files: [png1.path, png2.path] })
    const askFirst = !device.privacyAgreed
    await screen.tap('添加截图（相册 / 拍照）')
    if (askFirst) {
      // The app's own privacy dialog (WeChat's onNeedPrivacyAuthorization), answered as a resident would.
      await screen.waitForText('需要您的授权')
      await screen.tap('同意')
    }
    await screen.waitForText(/已添加 2 \/ 20/)
    device.willPickMessageFiles({ files: [pdf.path] })
    await screen.tap('添加交易记录（文件）')
    await screen.waitForText(/已添加 3 \/ 20/)
  }
  await screen.tap('下一步')

  await waitForStep(screen, STEP.branch)
  const branch = await screen.itemText(YUDONG)
  expect(branch).toContain('✓ 已选择')
  await screen.tap('下一步')

  await waitForStep(screen, STEP.reporter)
  // A wrong mobile number is refused at the field; anonymous is fine.
  await screen.tap('实名举报')
  await screen.fill('姓名', '张三')
  await screen.fill('手机号码', '12345')
  await screen.tap('下一步')
  await screen.waitForText(/还有 \d+ 处需要修改/)
  await screen.tap('匿名举报（默认）')
  await screen.waitFor('no field errors', () => !screen.has(/还有 \d+ 处需要修改/))
  await screen.tap('下一步')

  await waitForStep(screen, STEP.declaration)
  await screen.tap('确认声明')
  await screen.waitForText(/还有 \d+ 处需要修改/)
  await screen.tap(/我提供的内容真实/)
  await screen.tap(/我知道谎报/)
  await screen.tap('确认声明')
  await waitForStep(screen, STEP.review)
  return { keystrokes }
}
