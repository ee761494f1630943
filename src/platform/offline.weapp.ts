/** WeChat keeps the mini-program's packages itself: nothing to register. */
export function startOfflineShell(): void {}
