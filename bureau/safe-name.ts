/**
 * File names for exported attachments. The names come from the resident's phone inside the
 * encrypted report, so they are untrusted: a hostile or broken client may send "../../etc/passwd",
 * "a/b", "CON", NUL bytes, right-to-left overrides, names of thousands of characters, or the same
 * name twice. Pure functions: a name goes in, a plain file name that stays inside the export folder
 * comes out, on Linux, macOS and Windows alike.
 */

/** UTF-8 bytes a name may take; leaves room for " (99)" and the decryptor's temporary-name wrapping. */
export const MAX_NAME_BYTES = 160

/** Longest extension kept when a name is shortened. */
const MAX_EXTENSION_CHARS = 16

/** Windows device names, refused with any extension and in any case ("con.txt", "LPT1"). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i

/**
 * Extensions Windows runs or interprets on a double-click. Evidence keeps its bytes, but such a
 * name gets a trailing "_" so that opening it shows it rather than runs it.
 */
const EXECUTABLE_EXTENSIONS = new Set([
  'exe', 'com', 'bat', 'cmd', 'scr', 'pif', 'cpl', 'msi', 'msp', 'msc', 'jar', 'js', 'jse', 'vbs', 'vbe', 'wsf', 'wsh',
  'ps1', 'psm1', 'hta', 'lnk', 'url', 'reg', 'inf', 'scf', 'application', 'gadget', 'appref-ms', 'library-ms',
  'settingcontent-ms', 'desktop', 'sh', 'command', 'app', 'dll', 'sys', 'iso', 'img', 'vhd', 'vhdx',
])

/**
 * Characters removed outright: C0 and C1 controls (NUL included), and the invisible formatting
 * characters used to disguise a name ("invoice\u202Egpj.exe" shows as "invoiceexe.jpg").
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\ufff0-\ufffb]/g

/** Characters some file system refuses or treats specially, replaced by "_". */
const FORBIDDEN = /[<>:"|?*\\/]/g

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

/** The longest prefix of `s` (whole code points) within `maxBytes` of UTF-8. */
function truncateUtf8(s: string, maxBytes: number): string {
  let out = ''
  let bytes = 0
  for (const ch of s) {
    const n = utf8Length(ch)
    if (bytes + n > maxBytes) break
    out += ch
    bytes += n
  }
  return out
}

/** Splits "photo.final.JPG" into ["photo.final", ".JPG"]; a name without a usable extension has "". */
function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.')
  if (dot <= 0 || dot === name.length - 1) return [name, '']
  const ext = name.slice(dot)
  if ([...ext].length > MAX_EXTENSION_CHARS + 1 || /\s/.test(ext)) return [name, '']
  return [name.slice(0, dot), ext]
}

/**
 * One safe file name for an untrusted `name`, or `fallback` when nothing usable is left.
 * Not unique: use `safeFileNames` for a folder's worth.
 */
export function safeFileName(name: unknown, fallback: string): string {
  if (typeof name !== 'string') return fallback
  let s = name.normalize('NFC').replace(INVISIBLE, '')
  // A path: keep its last component ("../../etc/passwd" → "passwd", "C:\\x\\y.jpg" → "y.jpg").
  const parts = s.split(/[/\\]+/).filter((p) => p !== '' && p !== '.' && p !== '..')
  s = parts.length > 0 ? parts[parts.length - 1] : ''
  s = s.replace(FORBIDDEN, '_').replace(/\s+/g, ' ')
  // Leading dots hide a file (and "." / ".." are not names); Windows drops trailing dots and spaces.
  s = s.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '')
  if (s === '') return fallback

  let [stem, ext] = splitExtension(s)
  const firstPart = s.split('.')[0]
  if (WINDOWS_DEVICE.test(firstPart.trim())) {
    stem = `_${stem}`
  }
  if (ext && EXECUTABLE_EXTENSIONS.has(ext.slice(1).toLowerCase())) ext = `${ext}_`
  if (utf8Length(stem + ext) > MAX_NAME_BYTES) {
    stem = truncateUtf8(stem, MAX_NAME_BYTES - utf8Length(ext)).replace(/[\s.]+$/, '')
    if (stem === '') return fallback
  }
  return stem + ext
}

/** Case- and normalization-insensitive key, as macOS and Windows compare names. */
function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase()
}

/**
 * Safe, unique names for a list of untrusted names, none equal (ignoring case) to a `reserved`
 * name such as "report.md". Entry i falls back to `fallback(i)` when its name is unusable;
 * repeats become "name (2).ext", "name (3).ext", ….
 */
export function safeFileNames(names: readonly unknown[], reserved: readonly string[], fallback: (index: number) => string): string[] {
  const taken = new Set(reserved.map(collisionKey))
  return names.map((raw, index) => {
    const base = safeFileName(raw, safeFileName(fallback(index), `file-${index}`))
    let candidate = base
    if (taken.has(collisionKey(candidate))) {
      const [stem, ext] = splitExtension(base)
      for (let k = 2; ; k++) {
        const suffix = ` (${k})`
        candidate = truncateUtf8(stem, MAX_NAME_BYTES - utf8Length(suffix + ext)) + suffix + ext
        if (!taken.has(collisionKey(candidate))) break
      }
    }
    taken.add(collisionKey(candidate))
    return candidate
  })
}
