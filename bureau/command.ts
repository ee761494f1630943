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

/** The same labels and explanations as the resident's status page. */
export { STATUS_EXPLANATIONS, STATUS_LABELS } from '../src/domain/status'
