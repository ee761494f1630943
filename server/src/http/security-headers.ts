/**
 * The response header policy, in one place so that it is easy to adjust (a new script, a worker):
 * a Content-Security-Policy fit for the H5 app, and the usual hardening headers. HSTS only in
 * production (it is meaningless on the plain-HTTP development server and would pin localhost).
 *
 * The H5 app's inline scripts (Taro's index.html has a few) are allowed by their SHA-256 hashes,
 * computed from the served index.html at boot: no 'unsafe-inline' for scripts, and any script
 * injected into the page later is refused.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** 'sha256-…' sources for every inline <script> (without src) of an HTML page. */
export function inlineScriptHashes(html: string): string[] {
  const out = new Set<string>()
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (/\bsrc\s*=/i.test(m[1]) || m[2] === '') continue
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(m[1])?.[1]?.toLowerCase()
    if (type && !['text/javascript', 'module', 'application/javascript'].includes(type)) continue
    out.add(`'sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}'`)
  }
  return [...out]
}

/** The hashes of the H5 build's index.html, or none when there is no build. */
export function h5ScriptHashes(h5Dir: string): string[] {
  try {
    return inlineScriptHashes(fs.readFileSync(path.join(h5Dir, 'index.html'), 'utf8'))
  } catch {
    return []
  }
}

export function contentSecurityPolicy(scriptHashes: readonly string[]): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", ...scriptHashes],
    // Taro's components set style attributes; no script can come in through a style.
    'style-src': ["'self'", "'unsafe-inline'"],
    // Thumbnails of picked screenshots are blob: and data: URLs.
    'img-src': ["'self'", 'blob:', 'data:'],
    'font-src': ["'self'", 'data:'],
    'media-src': ["'self'", 'blob:'],
    'connect-src': ["'self'"],
    // The service worker and the encryption Web Worker are same-origin files.
    'worker-src': ["'self'"],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
  }
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ')
}

/** Features the app never uses (file picking works without camera access: it uses <input type=file>). */
export const PERMISSIONS_POLICY = [
  'camera=()',
  'microphone=()',
  'geolocation=()',
  'payment=()',
  'usb=()',
  'serial=()',
  'bluetooth=()',
  'hid=()',
  'midi=()',
  'magnetometer=()',
  'gyroscope=()',
  'accelerometer=()',
  'display-capture=()',
  'interest-cohort=()',
  'browsing-topics=()',
].join(', ')

export interface HeaderPolicyOptions {
  production: boolean
  scriptHashes: readonly string[]
}

/** Headers set on every answer. */
export function securityHeaders(options: HeaderPolicyOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy(options.scriptHashes),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': PERMISSIONS_POLICY,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
  if (options.production) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains'
  return headers
}
