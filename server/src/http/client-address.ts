/**
 * Who is the client: the address the rate limits and the per-client caps are keyed by. Kept in
 * memory only; never logged or stored.
 *
 * Behind a reverse proxy the socket's address is the proxy's. Fastify (proxy-addr) then walks
 * `X-Forwarded-For` from the right, skipping addresses it trusts; only an explicit list of proxy
 * addresses or CIDR ranges is accepted here. A hop count trusts nobody in Fastify 5 (every client
 * would share the proxy's bucket) and `true` trusts a client-supplied header (anyone picks their
 * bucket), so both are refused at boot.
 */
import net from 'node:net'

export class TrustProxyError extends Error {}

/** One IPv4/IPv6 address or CIDR range, as proxy-addr takes it; throws TrustProxyError. */
function checkProxyEntry(entry: string): string {
  const [addr, bits, ...rest] = entry.split('/')
  const family = net.isIP(addr)
  if (family === 0 || rest.length > 0) throw new TrustProxyError(`"${entry}" is not an IP address or CIDR range`)
  if (bits !== undefined) {
    const max = family === 4 ? 32 : 128
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) throw new TrustProxyError(`"${entry}": the prefix length must be 0 to ${max}`)
  }
  return entry
}

/**
 * TRUST_PROXY: unset/empty/off/false → trust nobody; otherwise a comma-separated list of the
 * reverse proxies' addresses or CIDR ranges (e.g. `127.0.0.1,10.0.0.0/24`).
 */
export function parseTrustProxy(raw: string | undefined): string[] | false {
  if (raw === undefined || ['', 'off', 'false'].includes(raw.trim())) return false
  const value = raw.trim()
  if (value === 'true' || /^\d+$/.test(value)) {
    throw new TrustProxyError(
      `TRUST_PROXY=${value} is refused: ${value === 'true' ? '"true" trusts any client-supplied X-Forwarded-For' : 'a hop count trusts nobody in Fastify 5'}. ` +
        'List the reverse proxy addresses or CIDR ranges instead, e.g. TRUST_PROXY=127.0.0.1 or TRUST_PROXY=10.0.0.0/24,::1',
    )
  }
  const entries = value.split(',').map((e) => e.trim())
  if (entries.some((e) => e === '')) throw new TrustProxyError(`TRUST_PROXY "${value}" has an empty entry`)
  return entries.map(checkProxyEntry)
}

/** The 8 hextets of an IPv6 address (no zone), or undefined. */
function ipv6Hextets(address: string): number[] | undefined {
  const addr = address.split('%')[0]
  if (net.isIPv6(addr) === false) return undefined
  let text = addr
  // A trailing dotted quad (::ffff:1.2.3.4 and friends) becomes two hextets.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (quad) {
    const b = quad.slice(1).map(Number)
    text = `${text.slice(0, quad.index)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const fill = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0')
  const parts = [...left, ...fill, ...right].map((h) => parseInt(h, 16))
  return parts.length === 8 && parts.every((h) => Number.isInteger(h) && h >= 0 && h <= 0xffff) ? parts : undefined
}

/**
 * The key a client is counted under: an IPv4 address as is (IPv4-mapped IPv6 too), an IPv6
 * address by its /64, since one subscriber normally gets a whole /64 and could otherwise take a
 * fresh address for every request.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown'
  if (net.isIPv4(address)) return address
  const h = ipv6Hextets(address)
  if (!h) return 'unknown'
  const mapped = h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff
  if (mapped) return `${h[6] >> 8}.${h[6] & 0xff}.${h[7] >> 8}.${h[7] & 0xff}`
  return `${h.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`
}
