/** Safe file names for untrusted attachment names (bureau/safe-name.ts). */
import path from 'node:path'
import { MAX_NAME_BYTES, safeFileName, safeFileNames } from '../../bureau/safe-name'

const FALLBACK = 'attachment-1.bin'

/** A name that cannot leave or escape the folder on any common file system. */
function expectPlain(name: string) {
  expect(name).not.toMatch(/[/\\<>:"|?*\u0000-\u001f]/)
  expect(name).not.toMatch(/^[.\s]|[.\s]$/)
  expect(path.basename(name)).toBe(name)
  expect(path.resolve('/out', name).startsWith('/out/')).toBe(true)
  expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_BYTES)
}

describe('safeFileName', () => {
  test.each([
    ['IMG_20240501_1230.jpg', 'IMG_20240501_1230.jpg'],
    ['转账记录 2024-05-01.png', '转账记录 2024-05-01.png'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\win.ini', 'win.ini'],
    ['a/b', 'b'],
    ['/absolute/path.png', 'path.png'],
    ['C:\\Users\\x\\photo.jpg', 'photo.jpg'],
    ['x\u0000y.png', 'xy.png'],
    ['line\nbreak.txt', 'linebreak.txt'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['LPT1.tar.gz', '_LPT1.tar.gz'],
    ['nul', '_nul'],
    ['console.log', 'console.log'],
    ['.hidden', 'hidden'],
    ['trailing. . ', 'trailing'],
    ['what?.png', 'what_.png'],
    ['a:b*c|d"e<f>g.jpg', 'a_b_c_d_e_f_g.jpg'],
    ['invoice\u202Egpj.exe', 'invoicegpj.exe_'],
    ['setup.EXE', 'setup.EXE_'],
    ['shortcut.lnk', 'shortcut.lnk_'],
    ['e\u0301.png', '\u00e9.png'],
  ])('%j → %j', (input, expected) => {
    const out = safeFileName(input, FALLBACK)
    expect(out).toBe(expected)
    expectPlain(out)
  })

  test.each(['', '.', '..', '../..', '/', '   ', '\u0000', '\u202e', '...'])('%j falls back', (input) => {
    expect(safeFileName(input, FALLBACK)).toBe(FALLBACK)
  })

  test.each([undefined, null, 42, {}, ['a.png']])('a non-string %j falls back', (input) => {
    expect(safeFileName(input, FALLBACK)).toBe(FALLBACK)
  })

  test('very long names are cut on a character boundary and keep their extension', () => {
    for (const stem of ['a'.repeat(1000), '长'.repeat(1000), '😀'.repeat(500)]) {
      const out = safeFileName(`${stem}.jpeg`, FALLBACK)
      expectPlain(out)
      expect(out.endsWith('.jpeg')).toBe(true)
      expect(out).not.toContain('\ufffd')
      expect(Buffer.byteLength(out)).toBeGreaterThan(MAX_NAME_BYTES - 8)
    }
    // A very long "extension" is not kept as one.
    const out = safeFileName(`x.${'y'.repeat(400)}`, FALLBACK)
    expectPlain(out)
  })
})

describe('safeFileNames', () => {
  test('duplicates (also by case and normalization) and reserved names get numbered', () => {
    const names = safeFileNames(
      ['same.jpg', 'same.jpg', 'SAME.jpg', 'e\u0301.png', '\u00e9.png', 'report.md', 'REPORT.JSON', 'dir/same.jpg', undefined, undefined],
      ['report.md', 'report.json', '.exported'],
      (i) => `attachment-${i + 1}.bin`,
    )
    expect(names).toEqual([
      'same.jpg',
      'same (2).jpg',
      'SAME (3).jpg',
      '\u00e9.png',
      '\u00e9 (2).png',
      'report (2).md',
      'REPORT (2).JSON',
      'same (4).jpg',
      'attachment-9.bin',
      'attachment-10.bin',
    ])
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length)
    names.forEach(expectPlain)
  })

  test('numbered long names stay within the length limit', () => {
    const long = `${'长'.repeat(200)}.png`
    const names = safeFileNames([long, long, long], [], (i) => `f${i}`)
    expect(new Set(names).size).toBe(3)
    names.forEach(expectPlain)
    expect(names[2].endsWith(' (3).png')).toBe(true)
  })

  test('a fallback that collides with a real name is numbered too', () => {
    expect(safeFileNames(['attachment-2.bin', '..'], [], (i) => `attachment-${i + 1}.bin`)).toEqual(['attachment-2.bin', 'attachment-2 (2).bin'])
  })
})
