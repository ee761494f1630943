// Writes src/assets/favicon.ico: a 32×32 icon (the app's red, a white shield with a tick), as an
// ICO holding one PNG. Run once when the design changes: node scripts/make-favicon.mjs
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const N = 32
const RED = [0x9f, 0x1d, 0x20, 255]
const WHITE = [255, 255, 255, 255]
const CLEAR = [0, 0, 0, 0]
const px = (x, y) => {
  // Rounded square background.
  const r = 6
  const cx = Math.min(Math.max(x + 0.5, r), N - r)
  const cy = Math.min(Math.max(y + 0.5, r), N - r)
  if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > r * r) return CLEAR
  // Shield: straight sides from y 6 to 17, then a point at y 27.
  const u = x + 0.5 - 16
  const v = y + 0.5
  const half = v < 6 ? -1 : v < 17 ? 10 : 10 * (1 - (v - 17) / 10)
  if (Math.abs(u) > half) return RED
  // A red tick inside the shield.
  const onLine = (ax, ay, bx, by) => {
    const t = Math.max(0, Math.min(1, ((u - ax) * (bx - ax) + (v - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)))
    return Math.hypot(u - (ax + t * (bx - ax)), v - (ay + t * (by - ay))) < 1.6
  }
  return onLine(-5, 14, -1, 18) || onLine(-1, 18, 6, 10) ? RED : WHITE
}

const raw = Buffer.alloc((N * 4 + 1) * N)
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0
  for (let x = 0; x < N; x++) Buffer.from(px(x, y)).copy(raw, y * (N * 4 + 1) + 1 + x * 4)
}
const table = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc = (buf) => {
  let c = 0xffffffff
  for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
const chunk = (type, data) => {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const sum = Buffer.alloc(4)
  sum.writeUInt32BE(crc(body))
  return Buffer.concat([len, body, sum])
}
const ihdr = Buffer.alloc(13)
ihdr.writeUInt32BE(N, 0)
ihdr.writeUInt32BE(N, 4)
ihdr[8] = 8
ihdr[9] = 6
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))])

const header = Buffer.alloc(6 + 16)
header.writeUInt16LE(0, 0)
header.writeUInt16LE(1, 2)
header.writeUInt16LE(1, 4)
header[6] = N
header[7] = N
header.writeUInt16LE(1, 10)
header.writeUInt16LE(32, 12)
header.writeUInt32LE(png.length, 14)
header.writeUInt32LE(22, 18)
writeFileSync(new URL('../src/assets/favicon.ico', import.meta.url), Buffer.concat([header, png]))
