/**
 * The police notice captured in ../shared/seed (the project's source of truth for texts). It sits
 * next to the repository, in CI as on a workstation; a missing file is a setup error, reported
 * as such rather than as a failed comparison.
 */
import { existsSync, readFileSync } from 'fs'
import { resolve } from 'path'

export const SEED_PATH = resolve(__dirname, '../../../shared/seed/notice-2023-03-09.txt')

export function readNotice(): string {
  if (!existsSync(SEED_PATH)) {
    throw new Error(
      `The notice capture is missing at ${SEED_PATH}. These tests compare the app's texts with it; ` +
        'check out the shared material next to the repository (../shared/seed/notice-2023-03-09.txt).',
    )
  }
  return readFileSync(SEED_PATH, 'utf8')
}

/** The notice's lines, without blank lines. */
export function noticeLines(): string[] {
  return readNotice()
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
}
