/** What every bureau command provides to the dispatcher in cli.ts. */
export interface Io {
  env: NodeJS.ProcessEnv
  /** Results, one line or block per call (stdout). */
  out(text: string): void
  /** Progress, warnings and errors (stderr). */
  err(text: string): void
}

export interface Command {
  name: string
  /** The full two-language --help text. */
  help: string
  /** Runs with the arguments after the command name; resolves with the exit status. */
  run(argv: string[], io: Io): Promise<number>
}

/** Public status labels and explanations exactly as the resident's status page shows them (src/hooks/useStatusQuery.ts). */
export const STATUS_LABELS = { received: '已收到', reviewing: '核查中', closed: '已办结' } as const
export const STATUS_EXPLANATIONS = {
  received: '您的举报已送达公安机关，正在等待核查。',
  reviewing: '公安机关正在核查您举报的线索。',
  closed: '这条线索的核查工作已经结束。',
} as const
