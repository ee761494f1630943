/**
 * qrcode: a QR code image (PNG or SVG, by the file extension) for the notice. It encodes the
 * ordinary link BASE/r?b=<branch>&c=<category>, which the server redirects into the H5 app with
 * the branch office and category preselected, and which WeChat opens when scanned. Codes are
 * checked against the campaign configuration so that a typo never gets printed.
 */
import fsp from 'node:fs/promises'
import path from 'node:path'
import QRCode from 'qrcode'
import { branchDisplayName } from '../../src/domain/branches'
import { findCategory } from '../../src/domain/categories'
import type { CampaignConfig } from '../../src/domain/types'
import { CAMPAIGN_HELP, CAMPAIGN_OPTION, campaignFileOf, parse, required } from '../args'
import { readCampaign } from '../campaign'
import type { Command } from '../command'
import { CliError } from '../errors'

/** Error correction M (15 %): survives smudges and folds on a printed notice, and stays small. */
export const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const
/** Default PNG size in pixels: about 8.5 cm at 300 dpi, sharp on a printed notice. */
export const PNG_WIDTH = 1000
const MIN_PNG_WIDTH = 200
const MAX_PNG_WIDTH = 6000

const HELP = `npm run bureau -- qrcode --base URL [--branch CODE] [--category CODE] --out FILE [--size PX] [--campaign FILE]

生成印在通告上的二维码图片，内容是链接 URL/r?b=单位代码&c=类别代码。群众扫码后进入举报页面，
已选好受理单位和举报类别。文件名以 .png 结尾生成 PNG 图片，以 .svg 结尾生成 SVG（可无损放大，适合印刷）。
Makes the QR code image for the notice: the link BASE/r?b=<branch>&c=<category>, which opens the report
with the branch office and category preselected. FILE ending in .png gives a PNG, .svg an SVG (scales
without loss, best for print).

选项 Options:
  --base URL          举报网站地址，例如 https://jubao.example.gov.cn / the public address of the server
  --branch CODE       受理单位代码（见活动配置 branches）/ branch office code (campaign "branches")
  --category CODE     举报类别代码 / category code: nude loan claim smear troll collect mlm other
  --out FILE          输出文件（.png 或 .svg）/ output file (.png or .svg)
  --size PX           PNG 图片宽度（像素，默认 ${PNG_WIDTH}，约为 300dpi 下 8.5 厘米）/ PNG width in pixels (default ${PNG_WIDTH})
${CAMPAIGN_HELP}

单位代码和类别代码必须在活动配置中存在，否则拒绝生成。/ Unknown codes are refused.`

function unknownCode(kind: 'branch' | 'category', code: string, config: CampaignConfig): CliError {
  const known = kind === 'branch' ? config.branches.map((b) => `${b.code}（${b.name}）`) : config.categories.map((c) => `${c}（${findCategory(c)?.name ?? c}）`)
  const zhKind = kind === 'branch' ? '受理单位代码' : '举报类别代码'
  return new CliError(`未知的${zhKind} "${code}"。可用的代码：\n  ${known.join('\n  ')}`, `Unknown ${kind} code "${code}". Known codes: ${known.map((k) => k.split('（')[0]).join(', ')}`)
}

/** BASE/r?b=…&c=… for a checked base URL (no trailing slash, query or fragment). */
export function entryUrl(base: string, branch?: string, category?: string): string {
  const params = [branch ? `b=${branch}` : '', category ? `c=${category}` : ''].filter(Boolean)
  return `${base}/r${params.length ? `?${params.join('&')}` : ''}`
}

function checkBase(raw: string): { base: string; warning?: [string, string] } {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new CliError(`--base "${raw}" 不是有效的网址，应类似 https://jubao.example.gov.cn`, `--base "${raw}" is not a valid URL; expected something like https://jubao.example.gov.cn`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError(`--base 必须以 https:// 开头。`, `--base must be an https:// address.`)
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new CliError('--base 只能是网站地址，不能带 ?、# 或用户名。', '--base must be a plain address without query, fragment or credentials.')
  }
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
  const warning: [string, string] | undefined =
    url.protocol === 'http:' && !local
      ? ['⚠️ 网址不是 https：微信和手机浏览器可能提示不安全，正式印刷请使用 https 地址。', '⚠️ Not https: WeChat and phone browsers may warn; print only https addresses.']
      : local
        ? ['⚠️ 这是本机地址，只能用于测试，不能印在通告上。', '⚠️ A local address: for testing only, never for a printed notice.']
        : undefined
  return { base, warning }
}

export const qrcodeCommand: Command = {
  name: 'qrcode',
  help: HELP,
  async run(argv, io) {
    const { values } = parse('qrcode', argv, {
      base: { type: 'string' },
      branch: { type: 'string' },
      category: { type: 'string' },
      out: { type: 'string' },
      size: { type: 'string' },
      ...CAMPAIGN_OPTION,
    })
    const { base, warning } = checkBase(required('qrcode', values, 'base', '举报网站地址'))
    const out = path.resolve(required('qrcode', values, 'out', '输出文件'))
    const ext = path.extname(out).toLowerCase()
    if (ext !== '.png' && ext !== '.svg') {
      throw new CliError(`--out 的文件名必须以 .png 或 .svg 结尾，而不是 "${path.basename(out)}"。`, `--out must end in .png or .svg, not "${path.basename(out)}".`)
    }
    let width = PNG_WIDTH
    if (values.size !== undefined) {
      width = Number(values.size)
      if (!/^\d+$/.test(String(values.size)) || width < MIN_PNG_WIDTH || width > MAX_PNG_WIDTH) {
        throw new CliError(`--size 应为 ${MIN_PNG_WIDTH} 到 ${MAX_PNG_WIDTH} 之间的像素数。`, `--size must be a number of pixels from ${MIN_PNG_WIDTH} to ${MAX_PNG_WIDTH}.`)
      }
      if (ext !== '.png') throw new CliError('--size 只用于 PNG 图片（SVG 可任意缩放）。', '--size applies to PNG only (an SVG scales freely).')
    }
    const config = readCampaign(campaignFileOf(values, io.env))
    const branchCode = values.branch as string | undefined
    const categoryCode = values.category as string | undefined
    const branch = branchCode !== undefined ? config.branches.find((b) => b.code === branchCode) : undefined
    if (branchCode !== undefined && !branch) throw unknownCode('branch', branchCode, config)
    if (categoryCode !== undefined && !(config.categories as readonly string[]).includes(categoryCode)) throw unknownCode('category', categoryCode, config)

    const url = entryUrl(base, branchCode, categoryCode)
    const bytes = ext === '.png' ? await QRCode.toBuffer(url, { ...QR_OPTIONS, type: 'png', width }) : Buffer.from(await QRCode.toString(url, { ...QR_OPTIONS, type: 'svg' }), 'utf8')
    const tmp = `${out}.${process.pid}.tmp`
    try {
      await fsp.writeFile(tmp, bytes, { flag: 'wx' })
      await fsp.rename(tmp, out)
    } catch (e) {
      await fsp.rm(tmp, { force: true })
      throw new CliError(`无法写入 ${out}：${(e as Error).message}`, `Cannot write ${out}: ${(e as Error).message}`)
    }
    const category = categoryCode ? findCategory(categoryCode) : undefined
    io.out(
      `已生成二维码 QR code written: ${out}\n` +
        `  链接 link:          ${url}\n` +
        `  受理单位 branch:    ${branch ? branchDisplayName(branch) : '（未预选，由群众选择 / not preselected）'}\n` +
        `  举报类别 category:  ${category ? `${category.ordinal}${category.name}` : '（未预选，由群众选择 / not preselected）'}\n` +
        `印刷前请用手机微信扫一扫试一下。/ Scan it with WeChat once before printing.`,
    )
    if (warning) io.err(`${warning[0]}\n${warning[1]}`)
    return 0
  },
}
