/**
 * keygen: a new X25519 key pair for the bureau. The private key file is sealed under a passphrase
 * (typed twice on the terminal, or BUREAU_KEY_PASSPHRASE); the public key and kid are printed with
 * the exact change to make to the campaign configuration. Old keys stay listed (not current) so
 * that reports already encrypted to them still arrive, and are opened by passing every key file
 * to export.
 */
import fs from 'node:fs'
import path from 'node:path'
import { EnvelopeError, generateBureauKeyPair, isDevelopmentKid, readPrivateKeyFile, writePrivateKeyFile } from '../../server/src/envelope'
import type { BureauKey } from '../../src/domain/types'
import { CAMPAIGN_HELP, CAMPAIGN_OPTION, DATA_HELP, DATA_OPTION, campaignFileOf, dataDirOf, parse, required } from '../args'
import { readCampaign } from '../campaign'
import type { Command } from '../command'
import { isInside } from '../data-dir'
import { CliError, errnoCode } from '../errors'
import { PASSPHRASE_ENV, newPassphrase } from '../keys'
import { cstDateTime } from '../time'

const HELP = `npm run bureau -- keygen --out FILE [--comment TEXT] [--campaign FILE]

生成一对新的扫黑办密钥（X25519）。私钥文件用口令保护；屏幕上显示公钥、kid，以及活动配置需要做的修改。
Generates a new bureau key pair (X25519). The private key file is protected by a passphrase; the
public key, its kid and the exact change to the campaign configuration are printed.

选项 Options:
  --out FILE          私钥文件保存到哪里（不会覆盖已有文件）；给一个目录则保存为 目录/bureau-<kid>.key.json
                      where to write the private key file (never overwrites); a directory → DIR/bureau-<kid>.key.json
  --comment TEXT      写在私钥文件里的明文备注，例如谁在何时生成 / a plain-text note stored in the file
${CAMPAIGN_HELP}
${DATA_HELP}
                      （只用于防止把私钥写进服务器数据目录 / only to refuse writing the key into it）

口令 Passphrase: 在终端中会提示输入两次（不显示）；脚本中用环境变量 ${PASSPHRASE_ENV}。至少 8 个字符。
  Asked twice on the terminal (hidden); scripts set ${PASSPHRASE_ENV}. At least 8 characters.

请在不联网的电脑上生成，把私钥文件和口令分开保管并备份。丢失私钥或口令，用它加密的举报将永远无法打开。
Generate it on an offline computer; keep the key file and the passphrase apart, with backups.
Losing either makes every report encrypted to this key unreadable, for good.`

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n')
}

export const keygenCommand: Command = {
  name: 'keygen',
  help: HELP,
  async run(argv, io) {
    const { values } = parse('keygen', argv, { out: { type: 'string' }, comment: { type: 'string' }, ...CAMPAIGN_OPTION, ...DATA_OPTION })
    const outArg = path.resolve(required('keygen', values, 'out', '私钥文件保存位置'))
    const campaignFile = campaignFileOf(values, io.env)
    const campaign = readCampaign(campaignFile)

    const pair = generateBureauKeyPair()
    let file = outArg
    if (fs.existsSync(outArg) && fs.statSync(outArg).isDirectory()) file = path.join(outArg, `bureau-${pair.kid}.key.json`)
    if (fs.existsSync(file)) {
      throw new CliError(`${file} 已存在，不会覆盖。请换一个文件名。`, `${file} already exists and is never overwritten; choose another name.`)
    }
    if (!fs.existsSync(path.dirname(file))) {
      throw new CliError(`目录 ${path.dirname(file)} 不存在。`, `The directory ${path.dirname(file)} does not exist.`)
    }
    const dataDir = dataDirOf(values, io.env)
    if (fs.existsSync(dataDir) && isInside(file, dataDir)) {
      throw new CliError(
        `私钥不能放在服务器的数据目录 ${dataDir} 里。请保存到离线的位置（例如 U 盘）。`,
        `The private key must not be written into the server's data directory ${dataDir}; keep it offline.`,
      )
    }

    const passphrase = await newPassphrase(io.env)
    const comment = typeof values.comment === 'string' ? values.comment : `扫黑办私钥 bureau private key, made by keygen ${cstDateTime(Date.now())} (UTC+8)`
    io.err('正在生成并加密私钥（约需 1 秒）… / Generating and sealing the private key (about a second)…')
    try {
      await writePrivateKeyFile(file, pair, passphrase, { comment })
    } catch (e) {
      if (e instanceof EnvelopeError && e.code === 'BAD_PASSPHRASE') {
        throw new CliError('口令至少需要 8 个字符。', 'The passphrase needs at least 8 characters.')
      }
      if (errnoCode(e) === 'EEXIST') throw new CliError(`${file} 已存在，不会覆盖。`, `${file} already exists and is never overwritten.`)
      throw new CliError(`无法写入 ${file}：${(e as Error).message}`, `Cannot write ${file}: ${(e as Error).message}`)
    }
    // Read it back: the file on disk must open with this passphrase before anyone relies on it.
    const check = await readPrivateKeyFile(file, passphrase)
    if (check.kid !== pair.kid) throw new CliError('写入的私钥文件读回校验失败。', 'The key file did not read back correctly.')

    const publicKey = pair.publicKey.toString('base64')
    const kept = campaign.keys.filter((k) => !(k.development === true || isDevelopmentKid(k.kid)))
    const dropped = campaign.keys.filter((k) => !kept.includes(k))
    const keys: BureauKey[] = [{ kid: pair.kid, publicKey, current: true }, ...kept.map((k) => ({ ...k, current: false }))]
    const snippet = `"keys": ${JSON.stringify(keys, null, 2)}`

    io.out(`已生成新的扫黑办密钥对 / New bureau key pair generated

  私钥文件 Private key file:  ${file}
  kid:                        ${pair.kid}
  公钥 Public key (base64):   ${publicKey}

第 1 步 Step 1 — 修改活动配置 Edit the campaign configuration:
  文件 File: ${campaignFile}
  把其中的 "keys" 一项整个替换为 / replace its whole "keys" entry with:

${indent(snippet, '    ')}
`)
    if (kept.length > 0) {
      io.out(`  旧密钥保留在列表中（"current": false）：用旧密钥加密、尚未发出的举报仍能送达；导出时把新旧私钥文件都用 --key 给出。
  Old keys stay listed ("current": false) so reports already encrypted to them still arrive; pass every
  key file to export (--key NEW --key OLD).

`)
    }
    if (dropped.length > 0) {
      io.out(`  已去掉开发密钥 ${dropped.map((k) => k.kid).join(', ')}（口令公开，生产模式会拒绝）。
  The development key ${dropped.map((k) => k.kid).join(', ')} is left out (its passphrase is public; production refuses it).

`)
    }
    io.out(`第 2 步 Step 2 — 让服务器读取新配置 Make the server read it: 重启服务器，或 kill -HUP <服务器进程号>
  restart the server, or send it SIGHUP (kill -HUP <server pid>). 手机端会从服务器获取新配置；
  下次发布小程序时也请重新构建（npm run build:weapp），使内置配置包含新公钥。
  Phones fetch the new configuration from the server; also rebuild the mini-program at its next release.

第 3 步 Step 3 — 保管私钥 Keep the private key safe: 把私钥文件复制到两个离线介质上分别保管，口令另行保管。
  不要把私钥文件放到服务器上。丢失私钥文件或口令，用它加密的举报将永远无法打开。
  Copy the key file to two offline media, keep the passphrase separately, never put it on the server.
`)
    return 0
  },
}
