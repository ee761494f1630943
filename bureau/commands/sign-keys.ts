/**
 * sign-keys: signs the campaign configuration's "keys" with the bureau's signing key, on the
 * offline computer, into keys.signed.json (docs/protocol.md §15) for the server to serve. The
 * sequence number grows by one over the previous list; phones refuse a list signed by any other
 * key, an older list, or (in release builds) a development key.
 */
import fs from 'node:fs'
import path from 'node:path'
import { isDevelopmentKid } from '../../server/src/envelope'
import {
  formatKeyList,
  isDevelopmentEntry,
  isDevelopmentSigner,
  KeyListError,
  parseKeyListText,
  signKeyList,
  verifyKeyList,
  type KeyListEntry,
  type SignedKeyList,
} from '../../server/src/keylist'
import { fsyncDir } from '../../server/src/durable'
import type { CampaignConfig } from '../../src/domain/types'
import { groupedKid } from '../../src/keys/fingerprint'
import { CAMPAIGN_HELP, CAMPAIGN_OPTION, campaignFileOf, parse, required } from '../args'
import { readCampaign } from '../campaign'
import type { Command } from '../command'
import { CliError } from '../errors'
import { loadSigningKey, PASSPHRASE_ENV } from '../keys'

const HELP = `npm run bureau -- sign-keys --signing-key FILE [--campaign FILE] [--out FILE] [--previous FILE] [--sequence N]

用扫黑办的签名私钥给活动配置里的 "keys"（手机可以用来加密的公钥）签名，写出 keys.signed.json，交给服务器发布。
手机只接受用内置签名公钥验证通过、序号不低于已接受列表的密钥列表。
Signs the campaign configuration's "keys" (the keys phones may encrypt to) with the bureau's
signing key into keys.signed.json for the server to serve. Phones accept only a list that verifies
under the signing key built into the app, with a sequence number no lower than one they accepted.

选项 Options:
  --signing-key FILE  签名私钥文件（keygen --with-signing-key 生成的 bureau-signing-<kid>.key.json）
                      the signing key file that keygen --with-signing-key made
${CAMPAIGN_HELP}
  --out FILE          写到哪里（默认：活动配置文件旁边的 keys.signed.json）；已有的文件被替换
                      where to write (default keys.signed.json beside the campaign file); replaced
  --previous FILE     上一份签名列表（默认就是 --out 的文件）；新序号 = 它的序号 + 1
                      the previous signed list (default: the --out file); new sequence = its + 1
  --sequence N        指定序号（必须大于上一份）/ set the sequence (must exceed the previous one)

口令 Passphrase: 在终端中提示输入（不显示）；脚本中用环境变量 ${PASSPHRASE_ENV}。
  Asked on the terminal (hidden); scripts set ${PASSPHRASE_ENV}.`

/** The whole list as phones would check it; also used on the previous list. */
function readPrevious(file: string, anchor: NonNullable<CampaignConfig['signingKey']>): SignedKeyList {
  let list: SignedKeyList
  try {
    list = parseKeyListText(fs.readFileSync(file, 'utf8'))
    verifyKeyList(list, { kid: anchor.kid, publicKey: Buffer.from(anchor.publicKey, 'base64') })
  } catch (e) {
    const why = e instanceof KeyListError ? e.message : (e as Error).message
    throw new CliError(
      `上一份密钥列表 ${file} 无法使用（${why}）。请用 --previous 指定服务器上正在发布的那份，或用 --sequence 指定更大的序号。`,
      `The previous key list ${file} cannot be used (${why}). Pass --previous with the list the server serves, or --sequence with a larger number.`,
    )
  }
  return list
}

function parseSequence(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new CliError(`--sequence 应为正整数，而不是 "${raw}"。`, `--sequence must be a positive integer, not "${raw}".`)
  }
  return Number(raw)
}

function nextSequence(previous: SignedKeyList | undefined, asked: string | undefined): number {
  const floor = previous?.sequence ?? 0
  const sequence = asked !== undefined ? parseSequence(asked) : floor + 1
  if (sequence <= floor) {
    throw new CliError(
      `序号 ${sequence} 不大于上一份列表的序号 ${floor}：手机会拒绝它。`,
      `Sequence ${sequence} does not exceed the previous list's ${floor}: phones would refuse it.`,
    )
  }
  if (!Number.isSafeInteger(sequence)) throw new CliError('序号太大。', 'The sequence number is too large.')
  return sequence
}

/** UTC to the second, as §15.1 writes it. */
function issuedAt(now: number): string {
  return `${new Date(now).toISOString().slice(0, 19)}Z`
}

/** Replaces `file` all at once: a crash leaves the old list or the new one, never half of one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`)
  const fh = await fs.promises.open(tmp, 'w', 0o644)
  try {
    await fh.writeFile(text, 'utf8')
    await fh.sync()
  } finally {
    await fh.close()
  }
  await fs.promises.rename(tmp, file)
  await fsyncDir(path.dirname(file))
}

function describe(k: KeyListEntry): string {
  return `    ${k.current ? '当前 current' : '保留 listed '}  ${groupedKid(k.kid)}${k.development === true ? '  (开发密钥 development)' : ''}`
}

export const signKeysCommand: Command = {
  name: 'sign-keys',
  help: HELP,
  async run(argv, io) {
    const { values } = parse('sign-keys', argv, {
      'signing-key': { type: 'string' },
      out: { type: 'string' },
      previous: { type: 'string' },
      sequence: { type: 'string' },
      ...CAMPAIGN_OPTION,
    })
    const signingFile = path.resolve(required('sign-keys', values, 'signing-key', '签名私钥文件'))
    const campaignFile = campaignFileOf(values, io.env)
    const campaign = readCampaign(campaignFile)
    const anchor = campaign.signingKey
    if (!anchor) {
      throw new CliError(
        `活动配置 ${campaignFile} 中没有 "signingKey"。请先按 keygen --with-signing-key 的提示填写。`,
        `The campaign configuration ${campaignFile} has no "signingKey"; add the one keygen --with-signing-key printed.`,
      )
    }
    const out = path.resolve((values.out as string | undefined) ?? path.join(path.dirname(campaignFile), 'keys.signed.json'))
    if (!fs.existsSync(path.dirname(out))) throw new CliError(`目录 ${path.dirname(out)} 不存在。`, `The directory ${path.dirname(out)} does not exist.`)
    const previousFile = values.previous !== undefined ? path.resolve(values.previous as string) : fs.existsSync(out) ? out : undefined
    const asked = values.sequence as string | undefined
    let previous: SignedKeyList | undefined
    if (previousFile) {
      try {
        previous = readPrevious(previousFile, anchor)
      } catch (e) {
        // With an explicit --sequence (e.g. the first list of a new signing key), an old list
        // signed by another key does not stop the signing; without one it must.
        if (asked === undefined || !(e instanceof CliError)) throw e
        io.err(`注意：${previousFile} 不是用这把签名密钥签的，按 --sequence ${asked} 签名。/ Note: ${previousFile} is not signed by this key; signing with --sequence ${asked}.`)
      }
    }
    const sequence = nextSequence(previous, asked)

    const pair = await loadSigningKey(signingFile, io.env)
    if (pair.publicKey.toString('base64') !== anchor.publicKey) {
      throw new CliError(
        `签名私钥 ${pair.kid} 不是活动配置中的签名公钥 ${anchor.kid}：用它签名的列表会被手机拒绝。请选对签名私钥文件。`,
        `The signing key ${pair.kid} is not the configuration's signingKey ${anchor.kid}: phones would refuse the list. Pick the right key file.`,
      )
    }
    const keys: KeyListEntry[] = campaign.keys.map((k) => ({
      kid: k.kid,
      publicKey: k.publicKey,
      current: k.current,
      ...(k.development === true || isDevelopmentKid(k.kid) ? { development: true as const } : {}),
    }))
    const dev = keys.filter(isDevelopmentEntry)
    if (dev.length > 0 && !isDevelopmentSigner(pair.kid)) {
      throw new CliError(
        `活动配置仍列有开发密钥 ${dev.map((k) => k.kid).join(', ')}（口令公开）。请按 keygen 的提示替换 "keys" 后再签名。`,
        `The configuration still lists the development key ${dev.map((k) => k.kid).join(', ')} (public passphrase); replace "keys" as keygen printed, then sign.`,
      )
    }
    let list: SignedKeyList
    try {
      list = signKeyList({ sequence, issuedAt: issuedAt(Date.now()), keys }, pair)
    } catch (e) {
      if (e instanceof KeyListError) throw new CliError(`活动配置中的 "keys" 有问题：${e.message}`, `The configuration's "keys" cannot be signed: ${e.message}`)
      throw e
    }
    const text = formatKeyList(list)
    await writeAtomically(out, text)
    // Read back what is on disk, and check it as a phone would.
    const back = parseKeyListText(fs.readFileSync(out, 'utf8'))
    verifyKeyList(back, { kid: anchor.kid, publicKey: Buffer.from(anchor.publicKey, 'base64') })

    io.out(`已签名密钥列表 / Key list signed

  文件 File:           ${out}
  序号 Sequence:       ${list.sequence}${previous ? `（上一份 previous: ${previous.sequence}）` : ''}
  签发时间 Issued at:  ${list.issuedAt}
  签名密钥 Signed by:  ${groupedKid(list.signer)}
  公钥 Keys:
${list.keys.map(describe).join('\n')}

下一步 Next: 把这个文件复制到服务器上活动配置文件旁边（keys.signed.json），然后重启服务器或 kill -HUP <服务器进程号>。
  Copy this file next to the server's campaign file (keys.signed.json), then restart it or send SIGHUP.
  核对 Check: 打开小程序"隐私说明"页，加密公钥指纹应为 ${groupedKid(list.keys.find((k) => k.current)!.kid)}。
  The app's privacy page should then show the encryption key fingerprint above.
`)
    return 0
  },
}
