/**
 * Errors the bureau tools show to staff: what went wrong and what to do, in Chinese and English,
 * never a stack trace. Exit status 2 means nothing was done (wrong command, missing key, wrong
 * passphrase, not the server's data directory); 1 means some work failed or needs attention.
 */
export const EXIT_OK = 0
export const EXIT_PARTIAL = 1
export const EXIT_USAGE = 2

export class CliError extends Error {
  readonly zh: string
  readonly en: string
  readonly exitCode: number

  constructor(zh: string, en: string, exitCode = EXIT_USAGE) {
    super(en)
    this.name = 'CliError'
    this.zh = zh
    this.en = en
    this.exitCode = exitCode
  }
}

/** The two-language text of an error for the terminal. */
export function formatError(error: CliError): string {
  return `错误：${error.zh}\nError: ${error.en}\n`
}

export function errnoCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code
}
