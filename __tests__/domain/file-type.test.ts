/** Magic numbers (src/domain/file-type.ts): what a file is, from its first bytes. */
import { checkFileContent, claimedKind, detectFileType } from '@/domain/file-type'

const b = (...parts: (number[] | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from(Buffer.from(p, 'latin1')) : p)))

describe('detectFileType', () => {
  it.each<[string, Uint8Array, string]>([
    ['JPEG', b([0xff, 0xd8, 0xff, 0xe1]), 'jpeg'],
    ['PNG', b([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'png'],
    ['GIF', b('GIF89a'), 'gif'],
    ['WebP', b('RIFF', [0, 0, 0, 0], 'WEBP'), 'webp'],
    ['BMP', b('BM', [0x36, 0x10, 0x0e, 0x00, 0, 0, 0, 0, 0x36, 0, 0, 0]), 'bmp'],
    ['HEIC', b([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0], 'mif1heic'), 'heif'],
    ['PDF', b('%PDF-1.7\n'), 'pdf'],
    ['xls', b([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'ole'],
    ['xlsx', b([0x50, 0x4b, 0x03, 0x04], 'x'.repeat(26), '[Content_Types].xml'), 'zip'],
    ['CSV', Uint8Array.from(Buffer.from('日期,金额\r\n2024-05-01,5000\r\n')), 'text'],
    ['Windows program', b('MZ', [0x90, 0]), 'exe'],
    ['ELF', b([0x7f, 0x45, 0x4c, 0x46, 2, 1]), 'elf'],
    ['APK', b([0x50, 0x4b, 0x03, 0x04], 'x'.repeat(26), 'AndroidManifest.xml'), 'apk'],
    ['MP4', b([0, 0, 0, 0x18], 'ftypmp42', [0, 0, 0, 0], 'isommp42'), 'video'],
    ['RAR', b('Rar!', [0x1a, 0x07]), 'rar'],
    ['binary noise', b([0, 1, 2, 3, 4, 5]), 'unknown'],
    ['empty', new Uint8Array(0), 'unknown'],
  ])('%s', (_name, head, kind) => {
    expect(detectFileType(head).kind).toBe(kind)
  })
})

describe('checkFileContent', () => {
  const exe = b('MZ', [0x90, 0], 'This program cannot be run in DOS mode.')
  const png = b([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

  it('refuses a program named setup.jpg, naming what it is', () => {
    const r = checkFileContent('setup.jpg', 'image/jpeg', exe)
    expect(r).toMatchObject({ accept: false, mismatch: true })
    expect(r.detected.label).toBe('Windows 程序')
    expect(r.message).toContain('Windows 程序')
  })

  it('takes a PNG named .jpg with its real MIME type and a note', () => {
    const r = checkFileContent('a.jpg', 'image/jpeg', png)
    expect(r).toMatchObject({ accept: true, mismatch: true, mime: 'image/png' })
    expect(r.message).toContain('PNG 图片')
  })

  it('takes a matching file silently', () => {
    expect(checkFileContent('a.png', 'image/png', png)).toMatchObject({ accept: true, mismatch: false, mime: 'image/png', message: undefined })
  })

  it('a camera image without an extension counts as an image by its MIME type', () => {
    expect(checkFileContent('IMG_0001', 'image/jpeg', exe).accept).toBe(false)
    expect(checkFileContent('IMG_0001', 'image/jpeg', png).accept).toBe(true)
  })

  it.each([
    ['a.JPG', 'jpeg'],
    ['a.xlsx', 'zip'],
    ['a.exe', undefined],
    ['noext', undefined],
  ])('claimedKind(%s) = %s', (name, kind) => {
    expect(claimedKind(name)).toBe(kind)
  })
})
