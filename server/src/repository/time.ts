/**
 * Times are stored to the minute (rounded down): what the protocol needs exactly is order and
 * expiry, and a coarser time is harder to match against a proxy's or an ISP's logs.
 */
export function toMinute(ms: number): number {
  return ms - (((ms % 60_000) + 60_000) % 60_000)
}
