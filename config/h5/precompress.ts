/**
 * Brotli and gzip copies of the H5 build's text files (`app.js` → `app.js.br`, `app.js.gz`),
 * made once at build time at the highest levels, so the server only sends files
 * (@fastify/static `preCompressed`, server/src/routes/entry.ts).
 */
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

/** Text assets worth compressing; images and fonts are compressed already. */
export const COMPRESSIBLE = /\.(js|mjs|css|html|json|svg|txt|xml|webmanifest|map)$/
export const ENCODINGS = { br: '.br', gzip: '.gz' } as const

export function brotli(bytes: Buffer): Buffer {
  return zlib.brotliCompressSync(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  })
}

export function gzip(bytes: Buffer): Buffer {
  return zlib.gzipSync(bytes, { level: zlib.constants.Z_BEST_COMPRESSION })
}

/** Every file under `dir`, as paths relative to it with forward slashes. */
export function listFiles(dir: string, sub = ''): string[] {
  return fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((entry) => {
    const rel = sub ? `${sub}/${entry.name}` : entry.name
    return entry.isDirectory() ? listFiles(dir, rel) : [rel]
  })
}

export function isCompressedCopy(file: string): boolean {
  return Object.values(ENCODINGS).some((ext) => file.endsWith(ext))
}

/**
 * Writes `<file>.br` and `<file>.gz` next to every compressible file of `dir` (replacing old
 * copies); a copy that would not be smaller is not written, so the server sends the file as is.
 */
export function precompressDir(dir: string): { files: number; bytes: number; br: number; gzip: number } {
  const totals = { files: 0, bytes: 0, br: 0, gzip: 0 }
  for (const file of listFiles(dir)) {
    if (isCompressedCopy(file) || !COMPRESSIBLE.test(file)) continue
    const full = path.join(dir, file)
    const bytes = fs.readFileSync(full)
    totals.files += 1
    totals.bytes += bytes.length
    for (const [name, encode] of [['br', brotli], ['gzip', gzip]] as const) {
      const target = full + ENCODINGS[name]
      const packed = encode(bytes)
      fs.rmSync(target, { force: true })
      if (packed.length < bytes.length) {
        fs.writeFileSync(target, packed)
        totals[name] += packed.length
      } else totals[name] += bytes.length
    }
  }
  return totals
}
