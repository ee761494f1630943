/**
 * Reading a passphrase on the terminal without showing it (raw mode, no echo). Only for an
 * interactive terminal; scripts use the BUREAU_KEY_PASSPHRASE environment variable instead.
 */
import { CliError } from './errors'

export function canPrompt(): boolean {
  return process.stdin.isTTY === true && typeof process.stdin.setRawMode === 'function'
}

/** Asks `question` on stderr and reads one line without echo. Ctrl-C aborts. */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin
  if (!canPrompt()) {
    return Promise.reject(new CliError('无法在终端输入口令。', 'Cannot ask for a passphrase: standard input is not a terminal.'))
  }
  process.stderr.write(question)
  return new Promise((resolve, reject) => {
    let answer = ''
    const finish = (error?: Error) => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(answer)
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish()
        if (ch === '\u0003') return finish(new CliError('已取消。', 'Cancelled.', 130))
        if (ch === '\u007f' || ch === '\b') {
          answer = [...answer].slice(0, -1).join('')
          continue
        }
        if (ch === '\u0015') {
          answer = ''
          continue
        }
        if (ch < ' ') continue
        answer += ch
      }
    }
    stdin.setEncoding('utf8')
    stdin.setRawMode(true)
    stdin.resume()
    stdin.on('data', onData)
  })
}
