/** File types accepted as evidence, by extension, with the MIME type reported to the bureau. */
const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  bmp: 'image/bmp',
  pdf: 'application/pdf',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
}

export const RECORD_EXTENSIONS = ['pdf', 'xls', 'xlsx', 'csv', 'jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'bmp']

export function extensionOf(name: string): string {
  const match = /\.([A-Za-z0-9]{1,5})$/.exec(name)
  return match ? match[1].toLowerCase() : ''
}

export function mimeFromName(name: string, fallback = 'application/octet-stream'): string {
  return MIME_BY_EXTENSION[extensionOf(name)] ?? fallback
}

export function isImageMime(mime: string): boolean {
  return mime.startsWith('image/')
}

export function isAcceptedEvidence(name: string, mime: string): boolean {
  return isImageMime(mime) || RECORD_EXTENSIONS.includes(extensionOf(name))
}
