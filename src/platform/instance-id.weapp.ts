/**
 * WeChat runs one copy of the mini-program at a time, so every launch is the same sender: a launch
 * after a kill takes over the outbox lease left by the killed one at once, instead of waiting for
 * it to lapse (the killed copy got no chance to release it).
 */
export function instanceId(_candidate: string): string {
  void _candidate
  return 'weapp'
}
