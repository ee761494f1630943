/**
 * keygen: a new X25519 key pair for the bureau and, with --with-signing-key, the Ed25519 signing
 * key (the trust anchor built into the app) beside it. Each private key file is sealed under the
 * passphrase (typed twice on the terminal, or BUREAU_KEY_PASSPHRASE); the public keys and kids are
 * printed with the exact change to make to the campaign configuration, then sign-keys signs the
 * key list. Old keys stay listed (not current) so that reports already encrypted to them still
 * arrive, and are opened by passing every key file to export.
 */
import fs from 'node:fs'
import path from 'node:path'
import { EnvelopeError, generateBureauKeyPair, isDevelopmentKid, readPrivateKeyFile, writePrivateKeyFile } from '../../server/src/envelope'
import { generateSigningKeyPair, readSigningKeyFile, writeSigningKeyFile, type SigningKeyPair } from '../../server/src/keylist'
import type { BureauKey, SigningKeyInfo } from '../../src/domain/types'
import { CAMPAIGN_HELP, CAMPAIGN_OPTION, DATA_HELP, DATA_OPTION, campaignFileOf, dataDirOf, parse, required } from '../args'
import { readCampaign } from '../campaign'
import type { Command } from '../command'
import { isInside } from '../data-dir'
import { CliError, errnoCode } from '../errors'
import { PASSPHRASE_ENV, newPassphrase } from '../keys'
import { cstDateTime } from '../time'

const HELP = `npm run bureau -- keygen --out FILE [--with-signing-key] [--comment TEXT] [--campaign FILE]

生成一对新的扫黑办加密密钥（X25519）。私钥文件用口令保护；屏幕上显示公钥、kid，以及活动配置需要做的修改。
加上 --with-signing-key 时，同时在同一目录生成扫黑办的签名密钥（Ed25519，内置在小程序里的"信任锚"）。
Generates a new bureau key pair (X25519). The private key file is protected by a passphrase; the
public key, its kid and the exact change to the campaign configuration are printed. With
--with-signing-key it also makes the bureau's signing key (Ed25519, the trust anchor built into the
app) in the same directory, protected the same way.

选项 Options:
  --out FILE          私钥文件保存到哪里（不会覆盖已有文件）；给一个目录则保存为 目录/bureau-<kid>.key.json
                      where to write the private key file (never overwrites); a directory → DIR/bureau-<kid>.key.json
  --with-signing-key  同时生成签名密钥 bureau-signing-<kid>.key.json（首次部署时；更换签名密钥需要重新发布小程序）
                      also make the signing key (first setup; a new signing key needs a new app release)
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

/** Refuses a target that exists, sits in a missing directory, or lies inside the server's data directory. */
function checkTarget(file: string, dataDir: string): void {
  if (fs.existsSync(file)) {
    throw new CliError(`${file} 已存在，不会覆盖。请换一个文件名。`, `${file} already exists and is never overwritten; choose another name.`)
  }
  if (!fs.existsSync(path.dirname(file))) {
    throw new CliError(`目录 ${path.dirname(file)} 不存在。`, `The directory ${path.dirname(file)} does not exist.`)
  }
  if (fs.existsSync(dataDir) && isInside(file, dataDir)) {
    throw new CliError(
      `私钥不能放在服务器的数据目录 ${dataDir} 里。请保存到离线的位置（例如 U 盘）。`,
      `The private key must not be written into the server's data directory ${dataDir}; keep it offline.`,
    )
  }
}

async function writeSealed(file: string, write: () => Promise<void>): Promise<void> {
  try {
    await write()
  } catch (e) {
    if (e instanceof EnvelopeError && e.code === 'BAD_PASSPHRASE') {
      throw new CliError('口令至少需要 8 个字符。', 'The passphrase needs at least 8 characters.')
    }
    if (errnoCode(e) === 'EEXIST') throw new CliError(`${file} 已存在，不会覆盖。`, `${file} already exists and is never overwritten.`)
    throw new CliError(`无法写入 ${file}：${(e as Error).message}`, `Cannot write ${file}: ${(e as Error).message}`)
  }
}

function signingSummary(signing: SigningKeyPair, file: string): string {
  return `
  签名私钥文件 Signing key file: ${file}
  签名密钥 kid Signing kid:      ${signing.kid}
  签名公钥 Signing public key:   ${signing.publicKey.toString('base64')}
`
}

function signingSnippet(signing: SigningKeyPair): string {
  const anchor: SigningKeyInfo = { kid: signing.kid, publicKey: signing.publicKey.toString('base64') }
  return `
  并把其中的 "signingKey" 一项整个替换为 / and replace its whole "signingKey" entry with:

${indent(`"signingKey": ${JSON.stringify(anchor, null, 2)}`, '    ')}
`
}

export const keygenCommand: Command = {
  name: 'keygen',
  help: HELP,
  async run(argv, io) {
    const { values } = parse('keygen', argv, {
      out: { type: 'string' },
      comment: { type: 'string' },
      'with-signing-key': { type: 'boolean' },
      ...CAMPAIGN_OPTION,
      ...DATA_OPTION,
    })
    const outArg = path.resolve(required('keygen', values, 'out', '私钥文件保存位置'))
    const campaignFile = campaignFileOf(values, io.env)
    const campaign = readCampaign(campaignFile)

    const pair = generateBureauKeyPair()
    let file = outArg
    if (fs.existsSync(outArg) && fs.statSync(outArg).isDirectory()) file = path.join(outArg, `bureau-${pair.kid}.key.json`)
    const signing = values['with-signing-key'] === true ? generateSigningKeyPair() : undefined
    const signingFile = signing ? path.join(path.dirname(file), `bureau-signing-${signing.kid}.key.json`) : undefined
    const dataDir = dataDirOf(values, io.env)
    for (const target of [file, ...(signingFile ? [signingFile] : [])]) checkTarget(target, dataDir)

    const passphrase = await newPassphrase(io.env)
    const made = `made by keygen ${cstDateTime(Date.now())} (UTC+8)`
    const comment = typeof values.comment === 'string' ? values.comment : `扫黑办私钥 bureau private key, ${made}`
    io.err('正在生成并加密私钥（约需 1 秒）… / Generating and sealing the private key (about a second)…')
    await writeSealed(file, () => writePrivateKeyFile(file, pair, passphrase, { comment }))
    // Read it back: the file on disk must open with this passphrase before anyone relies on it.
    const check = await readPrivateKeyFile(file, passphrase)
    if (check.kid !== pair.kid) throw new CliError('写入的私钥文件读回校验失败。', 'The key file did not read back correctly.')
    if (signing && signingFile) {
      const signingComment = typeof values.comment === 'string' ? values.comment : `扫黑办签名私钥 bureau signing key (trust anchor), ${made}`
      await writeSealed(signingFile, () => writeSigningKeyFile(signingFile, signing, passphrase, { comment: signingComment }))
      const back = await readSigningKeyFile(signingFile, passphrase)
      if (back.kid !== signing.kid) throw new CliError('写入的签名私钥文件读回校验失败。', 'The signing key file did not read back correctly.')
    }

    const publicKey = pair.publicKey.toString('base64')
    const kept = campaign.keys.filter((k) => !(k.development === true || isDevelopmentKid(k.kid)))
    const dropped = campaign.keys.filter((k) => !kept.includes(k))
    const keys: BureauKey[] = [{ kid: pair.kid, publicKey, current: true }, ...kept.map((k) => ({ ...k, current: false }))]
    const snippet = `"keys": ${JSON.stringify(keys, null, 2)}`

    io.out(`已生成新的扫黑办密钥对 / New bureau key pair generated

  私钥文件 Private key file:  ${file}
  kid:                        ${pair.kid}
  公钥 Public key (base64):   ${publicKey}
${signing ? signingSummary(signing, signingFile!) : ''}
第 1 步 Step 1 — 修改活动配置 Edit the campaign configuration:
  文件 File: ${campaignFile}
  把其中的 "keys" 一项整个替换为 / replace its whole "keys" entry with:

${indent(snippet, '    ')}
${signing ? signingSnippet(signing) : ''}`)
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
    const signingArg = signingFile ?? '/media/usb/bureau-signing-<kid>.key.json'
    io.out(`第 2 步 Step 2 — 签名密钥列表 Sign the key list (on this offline computer):
    npm run bureau -- sign-keys --signing-key ${signingArg}${values.campaign ? ` --campaign ${campaignFile}` : ''}
  手机只接受扫黑办签名的密钥列表。/ Phones accept only a key list signed by the bureau.

第 3 步 Step 3 — 把签好的列表交给服务器 Give the signed list to the server: 把 sign-keys 写出的
  keys.signed.json 复制到服务器上活动配置文件旁边，然后重启服务器，或 kill -HUP <服务器进程号>。
  Copy keys.signed.json next to the server's campaign file, then restart it or send SIGHUP.
  手机端会从服务器获取并核验新列表；下次发布小程序时也请重新构建（npm run release:weapp）。
  Phones fetch and verify the new list; also rebuild the mini-program at its next release.
${signing ? `  新的签名密钥只有在重新发布的小程序中才生效：请用 npm run release:weapp / release:h5 构建并发布。
  A new signing key takes effect only in a new app release: build with npm run release:weapp / release:h5.
` : ''}
第 4 步 Step 4 — 保管私钥 Keep the private keys safe: 把私钥文件复制到两个离线介质上分别保管，口令另行保管。
  不要把私钥文件放到服务器上。丢失私钥文件或口令，用它加密的举报将永远无法打开。
  Copy the key files to two offline media, keep the passphrase separately, never put them on the server.
`)
    return 0
  },
}
