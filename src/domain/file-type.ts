/**
 * What a file really is, from its first bytes (magic numbers), for the evidence types we accept,
 * and what its name claims. The phone refuses a file whose content is not what its name says
 * when the content is not an accepted type (a program renamed "setup.jpg"); the bureau's export
 * shows the detected type beside every attachment. Pure: both sides pass the first bytes.
 */

/** How many leading bytes `detectFileType` needs to see. */
export const SNIFF_BYTES = 4096

export type FileKind =
  | 'jpeg'
  | 'png'
  | 'gif'
  | 'webp'
  | 'bmp'
  | 'heif'
  | 'pdf'
  /** OLE compound file: .xls (and old .doc/.ppt). */
  | 'ole'
  /** ZIP container: .xlsx (and .docx, .zip). */
  | 'zip'
  | 'text'
  /** Not accepted as evidence; named so the resident and the bureau are told what it is. */
  | 'exe'
  | 'elf'
  | 'macho'
  | 'apk'
  | 'rar'
  | '7z'
  | 'video'
  | 'unknown'

export interface FileKindInfo {
  kind: FileKind
  /** Plain Chinese for residents and staff. */
  label: string
  /** MIME type to record when the content is an accepted kind. */
  mime?: string
  accepted: boolean
}

const INFO: Record<FileKind, Omit<FileKindInfo, 'kind'>> = {
  jpeg: { label: 'JPEG 图片', mime: 'image/jpeg', accepted: true },
  png: { label: 'PNG 图片', mime: 'image/png', accepted: true },
  gif: { label: 'GIF 图片', mime: 'image/gif', accepted: true },
  webp: { label: 'WebP 图片', mime: 'image/webp', accepted: true },
  bmp: { label: 'BMP 图片', mime: 'image/bmp', accepted: true },
  heif: { label: 'HEIC 图片', mime: 'image/heic', accepted: true },
  pdf: { label: 'PDF 文档', mime: 'application/pdf', accepted: true },
  ole: { label: 'Excel 97-2003 表格（xls）', mime: 'application/vnd.ms-excel', accepted: true },
  zip: { label: 'Excel 表格（xlsx）或 ZIP 压缩包', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', accepted: true },
  text: { label: '文本（CSV）', mime: 'text/csv', accepted: true },
  exe: { label: 'Windows 程序', accepted: false },
  elf: { label: 'Linux / 安卓程序', accepted: false },
  macho: { label: '苹果电脑程序', accepted: false },
  apk: { label: '安卓安装包（APK）', accepted: false },
  rar: { label: 'RAR 压缩包', accepted: false },
  '7z': { label: '7z 压缩包', accepted: false },
  video: { label: '视频', accepted: false },
  unknown: { label: '无法识别的文件', accepted: false },
}

export function kindInfo(kind: FileKind): FileKindInfo {
  return { kind, ...INFO[kind] }
}

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((x, i) => b[at + i] === x)
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, Math.min(to, b.length)))

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif'])
const VIDEO_BRANDS = /^(isom|iso2|mp41|mp42|avc1|qt {2}|3gp\d|3g2\w|M4V |MSNV|dash)$/

/** The ISO-BMFF brands ("ftyp" box) of an image or video file. */
function ftypBrands(b: Uint8Array): string[] {
  if (b.length < 12 || ascii(b, 4, 8) !== 'ftyp') return []
  const size = Math.min(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0, b.length)
  const brands = [ascii(b, 8, 12)]
  for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(b, at, at + 4))
  return brands
}

/** Text: no NUL bytes and almost no other control bytes (tab, CR, LF, form feed allowed). */
function isText(b: Uint8Array): boolean {
  if (b.length === 0) return false
  let control = 0
  for (const x of b) {
    if (x === 0) return false
    if (x < 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0d && x !== 0x0c && x !== 0x1b) control += 1
  }
  return control * 100 <= b.length
}

/** The kind of a file from its first bytes (give at least SNIFF_BYTES when the file is longer). */
export function detectFileType(head: Uint8Array): FileKindInfo {
  const b = head
  if (startsWith(b, [0xff, 0xd8, 0xff])) return kindInfo('jpeg')
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return kindInfo('png')
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return kindInfo('gif')
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return kindInfo('webp')
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'AVI ') return kindInfo('video')
  if (ascii(b, 0, 5) === '%PDF-') return kindInfo('pdf')
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return kindInfo('ole')
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) {
    // An Android package is a ZIP whose entries include AndroidManifest.xml or classes.dex.
    const names = ascii(b, 0, b.length)
    return kindInfo(/AndroidManifest\.xml|classes\.dex/.test(names) ? 'apk' : 'zip')
  }
  const brands = ftypBrands(b)
  if (brands.some((x) => HEIF_BRANDS.has(x))) return kindInfo('heif')
  if (brands.some((x) => VIDEO_BRANDS.test(x))) return kindInfo('video')
  if (startsWith(b, [0x4d, 0x5a])) return kindInfo('exe')
  if (startsWith(b, [0x7f, 0x45, 0x4c, 0x46])) return kindInfo('elf')
  if ([[0xfe, 0xed, 0xfa, 0xce], [0xfe, 0xed, 0xfa, 0xcf], [0xce, 0xfa, 0xed, 0xfe], [0xcf, 0xfa, 0xed, 0xfe], [0xca, 0xfe, 0xba, 0xbe]].some((sig) => startsWith(b, sig))) {
    return kindInfo('macho')
  }
  if (ascii(b, 0, 4) === 'Rar!') return kindInfo('rar')
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return kindInfo('7z')
  // "BM" + a little-endian file size: checked after the programs, whose signatures are stricter.
  if (ascii(b, 0, 2) === 'BM' && b.length >= 14 && b[6] === 0 && b[7] === 0 && b[8] === 0 && b[9] === 0) return kindInfo('bmp')
  if (isText(b)) return kindInfo('text')
  return kindInfo('unknown')
}

const KIND_BY_EXTENSION: Record<string, FileKind> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  bmp: 'bmp',
  heic: 'heif',
  heif: 'heif',
  pdf: 'pdf',
  xls: 'ole',
  xlsx: 'zip',
  csv: 'text',
}

const IMAGE_KINDS: readonly FileKind[] = ['jpeg', 'png', 'gif', 'webp', 'bmp', 'heif']

/** The kind a file name claims by its extension, or undefined for an extension we do not know. */
export function claimedKind(name: string): FileKind | undefined {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(name)
  return m ? KIND_BY_EXTENSION[m[1].toLowerCase()] : undefined
}

export interface ContentCheck {
  detected: FileKindInfo
  /** The name (or, without a known extension, the MIME type) claims a kind the content is not. */
  mismatch: boolean
  /** Accept the file: its content is an evidence type we take. */
  accept: boolean
  /** The MIME type to record: the detected one when accepted. */
  mime: string
  /** For the resident, when something is not what it says (refusal reason, or a note). */
  message?: string
}

function claimOf(name: string, mime: string): FileKind | undefined {
  const byName = claimedKind(name)
  if (byName) return byName
  if (mime.startsWith('image/')) return 'jpeg'
  return undefined
}

const isImageKind = (k: FileKind | undefined) => k !== undefined && IMAGE_KINDS.includes(k)

/**
 * Checks a picked file's first bytes against what its name (or MIME type) declares. Refused: a
 * content that is not an evidence type we take (a program renamed "setup.jpg"), and a content
 * that is not an image under an image's name. Taken, with a note for the resident: an image under
 * another image's name, or a document under another document type's name; the real MIME type is
 * recorded.
 */
export function checkFileContent(name: string, mime: string, head: Uint8Array): ContentCheck {
  const detected = detectFileType(head)
  const claimed = claimOf(name, mime)
  const mismatch = claimed !== undefined && claimed !== detected.kind
  const what = detected.kind === 'unknown' ? '无法识别文件内容' : `内容是${detected.label}`
  if (isImageKind(claimed) && !isImageKind(detected.kind)) {
    return { detected, mismatch, accept: false, mime, message: `文件名是图片，但文件不是图片（${what}），不能作为证明材料。请重新选择原始的截图` }
  }
  if (!detected.accepted) {
    return { detected, mismatch, accept: false, mime, message: `文件内容与文件名不符（${what}），不能作为证明材料。请重新选择原始的记录文件` }
  }
  const message = mismatch ? `文件名与内容不符，文件实际是${detected.label}，已按${detected.label}添加` : undefined
  return { detected, mismatch, accept: true, mime: detected.mime ?? mime, message }
}
