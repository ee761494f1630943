/** WeChat runs one copy of the mini-program: a fresh id per launch is enough. */
export function instanceId(candidate: string): string {
  return candidate
}
