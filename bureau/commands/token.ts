/**
 * token: workstation tokens for the bureau API, made on the server host (it needs the data
 * directory). The secret is printed once and stored only as its SHA-256. Tokens can be limited to
 * branch offices, listed and revoked; creating and revoking are written to the audit log.
 */
import { hashTokenSecret, newTokenId, newTokenSecret, TOKEN_ID_PATTERN } from '../../server/src/bureau-api/tokens'
import { CAMPAIGN_HELP, CAMPAIGN_OPTION, DATA_HELP, DATA_OPTION, campaignFileOf, dataDirOf, parse, required } from '../args'
import { readCampaign } from '../campaign'
import type { Command, Io } from '../command'
import { openDataDir } from '../data-dir'
import { CliError } from '../errors'
import { cstDateTime } from '../time'

const HELP = `npm run bureau -- token create --name NAME [--branch CODE …] [--data DIR] [--campaign FILE]
npm run bureau -- token list [--data DIR]
npm run bureau -- token revoke TOKEN-ID [--data DIR]

在服务器主机上为工作站生成访问令牌（用于 npm run workstation 或 --server/--token）。
令牌只显示一次；服务器只保存它的 SHA-256 摘要。丢失后请撤销并重新生成。
Makes, lists and revokes workstation tokens for the bureau API. A token is shown once; the server
keeps only its SHA-256.

选项 Options:
  --name NAME         工作站名称，例如 "御东分局工作站"（出现在审计日志中）/ the workstation's name
  --branch CODE       只允许查看该受理单位的举报（可给多次，如 --branch yd）；不给则可查看全部
                      limit the token to this branch office (repeatable); without it, every branch
${DATA_HELP}
${CAMPAIGN_HELP}`

const CLI_ACTOR = { tokenId: 'cli', tokenName: '服务器主机命令行' }

async function create(values: Record<string, unknown>, io: Io): Promise<number> {
  const name = required('token', values as never, 'name', '工作站名称').trim()
  if ([...name].length > 100 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new CliError('工作站名称最多 100 个字符，且不能含控制字符。', 'The name is at most 100 characters, without control characters.')
  }
  const branches = [...new Set((values.branch as string[] | undefined) ?? [])]
  if (branches.length) {
    const campaign = readCampaign(campaignFileOf(values as never, io.env))
    const unknown = branches.filter((b) => !campaign.branches.some((o) => o.code === b))
    if (unknown.length) {
      throw new CliError(
        `活动配置中没有受理单位代码 ${unknown.join('、')}。可用的代码：${campaign.branches.map((b) => `${b.code}（${b.name}）`).join('、')}`,
        `Unknown branch code ${unknown.join(', ')}; the campaign lists ${campaign.branches.map((b) => b.code).join(', ')}.`,
      )
    }
  }
  const data = await openDataDir(dataDirOf(values as never, io.env), io.env)
  try {
    const secret = newTokenSecret()
    const now = Date.now()
    const token = await data.repository.createToken({ id: newTokenId(), name, secretHash: hashTokenSecret(secret), branches, createdAt: now })
    await data.repository.appendAudit({ at: now, ...CLI_ACTOR, action: 'token.create', caseId: null, detail: token.id })
    io.out(
      `已为「${name}」生成工作站令牌（编号 ${token.id}${branches.length ? `，只能查看受理单位 ${branches.join('、')}` : '，可查看全部受理单位'}）：\n\n` +
        `    ${secret}\n\n` +
        `令牌只显示这一次，服务器不保存原文。请把它交给该工作站的管理人员，在工作站首次打开时填入；\n` +
        `不要通过微信、短信或邮件发送。丢失或泄露时运行：npm run bureau -- token revoke ${token.id}\n` +
        `Token ${token.id} for "${name}" (shown once; the server keeps only its hash).`,
    )
    return 0
  } finally {
    await data.close()
  }
}

async function list(values: Record<string, unknown>, io: Io): Promise<number> {
  const data = await openDataDir(dataDirOf(values as never, io.env), io.env)
  try {
    const tokens = await data.repository.listTokens()
    if (tokens.length === 0) {
      io.out('还没有工作站令牌。用 npm run bureau -- token create --name "名称" 生成。\nNo tokens yet.')
      return 0
    }
    const lines = tokens.map(
      (t) =>
        `${t.id}  ${t.revokedAt ? `已撤销 revoked ${cstDateTime(t.revokedAt)}` : '有效 active'}  ` +
        `${t.branches.length ? `受理单位 ${t.branches.join(',')}` : '全部受理单位 all branches'}  ` +
        `生成 ${cstDateTime(t.createdAt)}  最近使用 ${t.lastUsedAt ? cstDateTime(t.lastUsedAt) : '—'}  ${t.name}`,
    )
    io.out(`编号 id           状态 state  范围 scope  时间（北京时间）  名称 name\n${lines.join('\n')}`)
    return 0
  } finally {
    await data.close()
  }
}

async function revoke(id: string, values: Record<string, unknown>, io: Io): Promise<number> {
  if (!TOKEN_ID_PATTERN.test(id)) throw new CliError(`"${id}" 不是令牌编号（16 位十六进制，见 token list）。`, `"${id}" is not a token id (16 hex digits, see token list).`)
  const data = await openDataDir(dataDirOf(values as never, io.env), io.env)
  try {
    const now = Date.now()
    if (!(await data.repository.revokeToken(id, now))) throw new CliError(`没有编号为 ${id} 的令牌。`, `No token ${id}.`)
    await data.repository.appendAudit({ at: now, ...CLI_ACTOR, action: 'token.revoke', caseId: null, detail: id })
    io.out(`令牌 ${id} 已撤销：使用它的工作站将无法再访问服务器。\nToken ${id} revoked.`)
    return 0
  } finally {
    await data.close()
  }
}

export const tokenCommand: Command = {
  name: 'token',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse('token', argv, { name: { type: 'string' }, branch: { type: 'string', multiple: true }, ...DATA_OPTION, ...CAMPAIGN_OPTION }, true)
    const [sub, ...rest] = positionals
    if (sub === 'create' && rest.length === 0) return create(values, io)
    if (sub === 'list' && rest.length === 0) return list(values, io)
    if (sub === 'revoke' && rest.length === 1) return revoke(rest[0], values, io)
    throw new CliError('用法：npm run bureau -- token create --name 名称 [--branch 代码] | token list | token revoke 编号', 'Usage: token create --name NAME [--branch CODE] | token list | token revoke ID')
  },
}
