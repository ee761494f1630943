/**
 * The bureau's private key files: passphrase from BUREAU_KEY_PASSPHRASE or a hidden prompt, and
 * every way opening one can fail turned into a plain two-language message.
 */
import fs from 'node:fs'
import { EnvelopeError, readPrivateKeyFile, type BureauKeyPair } from '../server/src/envelope'
import { readSigningKeyFile, type SigningKeyPair } from '../server/src/keylist'
import { CliError, errnoCode } from './errors'
import { canPrompt, promptHidden } from './prompt'

export const PASSPHRASE_ENV = 'BUREAU_KEY_PASSPHRASE'
const ATTEMPTS = 3

function envPassphrase(env: NodeJS.ProcessEnv): string | undefined {
  const v = env[PASSPHRASE_ENV]
  return v !== undefined && v !== '' ? v : undefined
}

function noPassphrase(): CliError {
  return new CliError(
    `需要私钥口令：请在终端中运行本命令（会提示输入口令，输入时不显示），或在脚本中设置环境变量 ${PASSPHRASE_ENV}。`,
    `A passphrase is needed: run this in a terminal (it asks, without echo), or set ${PASSPHRASE_ENV} in scripts.`,
  )
}

/** A passphrase for a new key file: from the environment, or typed twice on the terminal. */
export async function newPassphrase(env: NodeJS.ProcessEnv): Promise<string> {
  const fromEnv = envPassphrase(env)
  if (fromEnv !== undefined) return fromEnv
  if (!canPrompt()) throw noPassphrase()
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const first = await promptHidden('为新私钥设置口令（至少 8 个字符，输入时不显示）/ New key passphrase (8+ characters, hidden): ')
    if ([...first.normalize('NFC')].length < 8) {
      process.stderr.write('口令太短，至少 8 个字符。/ Too short: at least 8 characters.\n')
      continue
    }
    const second = await promptHidden('再输入一次口令 / Repeat the passphrase: ')
    if (first === second) return first
    process.stderr.write('两次输入不一致，请重新输入。/ The two entries differ; try again.\n')
  }
  throw new CliError('多次未能设置口令，已放弃。', 'No passphrase set after several attempts; giving up.')
}

function missingKey(file: string): CliError {
  return new CliError(
    `找不到私钥文件 ${file}。请用 --key 指定 keygen 生成的私钥文件（例如 U 盘上的 bureau-<kid>.key.json）。`,
    `Key file ${file} not found. Pass --key with the private key file that keygen made.`,
  )
}

/** Reads one kind of sealed key file (encryption or signing key). */
type Opener<T> = (file: string, passphrase: string) => Promise<T>

async function openWith<T>(open: Opener<T>, file: string, passphrase: string): Promise<T> {
  try {
    return await open(file, passphrase)
  } catch (e) {
    if (e instanceof EnvelopeError && e.code === 'BAD_PASSPHRASE') throw e
    if (e instanceof EnvelopeError && e.code === 'BAD_KEY_FILE') {
      throw new CliError(
        `${file} 不是有效的扫黑办私钥文件（${e.message}）。请检查是否选错了文件。`,
        `${file} is not a valid bureau private key file (${e.message}). Check that you picked the right file.`,
      )
    }
    const code = errnoCode(e)
    if (code === 'ENOENT') throw missingKey(file)
    if (code === 'EISDIR') throw new CliError(`${file} 是目录，不是私钥文件。`, `${file} is a directory, not a key file.`)
    throw new CliError(`无法读取私钥文件 ${file}：${(e as Error).message}`, `Cannot read key file ${file}: ${(e as Error).message}`)
  }
}

function wrongPassphrase(file: string, fromEnv: boolean): CliError {
  return new CliError(
    `口令不正确，无法打开私钥文件 ${file}${fromEnv ? `（口令来自环境变量 ${PASSPHRASE_ENV}）` : ''}。请确认口令，或确认这是正确的私钥文件。`,
    `Wrong passphrase for key file ${file}${fromEnv ? ` (from ${PASSPHRASE_ENV})` : ''}, or the file was altered.`,
  )
}

/**
 * Opens each key file. With BUREAU_KEY_PASSPHRASE every file must open with it; on a terminal the
 * passphrase that opened the previous file is tried first, then the user is asked (3 attempts).
 */
export function loadKeyFiles(files: readonly string[], env: NodeJS.ProcessEnv): Promise<BureauKeyPair[]> {
  return loadSealedFiles(files, env, readPrivateKeyFile)
}

/** Opens the signing key file (docs/protocol.md §14), asking for its passphrase as above. */
export async function loadSigningKey(file: string, env: NodeJS.ProcessEnv): Promise<SigningKeyPair> {
  const [pair] = await loadSealedFiles([file], env, readSigningKeyFile)
  return pair
}

async function loadSealedFiles<T extends { kid: string }>(files: readonly string[], env: NodeJS.ProcessEnv, open: Opener<T>): Promise<T[]> {
  const keys: T[] = []
  const fromEnv = envPassphrase(env)
  let last: string | undefined
  for (const file of files) {
    if (!fs.existsSync(file)) throw missingKey(file)
    let key: T | undefined
    if (fromEnv !== undefined) {
      try {
        key = await openWith(open, file, fromEnv)
      } catch (e) {
        if (e instanceof EnvelopeError) throw wrongPassphrase(file, true)
        throw e
      }
    } else {
      if (last !== undefined) key = await openWith(open, file, last).catch((e) => {
        if (e instanceof EnvelopeError) return undefined
        throw e
      })
      if (!key && !canPrompt()) throw noPassphrase()
      for (let attempt = 1; !key; attempt++) {
        const passphrase = await promptHidden(`私钥口令（输入时不显示）/ Passphrase for ${file}: `)
        try {
          key = await openWith(open, file, passphrase)
          last = passphrase
        } catch (e) {
          if (!(e instanceof EnvelopeError)) throw e
          if (attempt >= ATTEMPTS) throw wrongPassphrase(file, false)
          process.stderr.write('口令不正确，请重试。/ Wrong passphrase, try again.\n')
        }
      }
    }
    if (!keys.some((k) => k.kid === key!.kid)) keys.push(key)
  }
  return keys
}
