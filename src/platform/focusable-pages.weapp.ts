/** WeChat: pages scroll natively and have no keyboard focus to give; nothing to do. */
export function makePagesFocusable(): void {}
