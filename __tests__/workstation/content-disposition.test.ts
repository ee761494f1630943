/** The download name of a resident's file: any string a decrypted report holds, never a throw (a 500). */
import { contentDisposition } from '../../bureau/workstation/server/routes-cases'

test.each([
  ['plain', '截图.png', "inline; filename=\"__.png\"; filename*=UTF-8''%E6%88%AA%E5%9B%BE.png"],
  ['an emoji cut at 200 UTF-16 units', `${'a'.repeat(199)}😀.png`, `inline; filename="${'a'.repeat(100)}"; filename*=UTF-8''${'a'.repeat(199)}%F0%9F%98%80`],
  ['a lone high surrogate', 'x\ud800y.png', "inline; filename=\"x_y.png\"; filename*=UTF-8''x%EF%BF%BDy.png"],
  ['a lone low surrogate', '\udc00.pdf', "inline; filename=\"_.pdf\"; filename*=UTF-8''%EF%BF%BD.pdf"],
  ['quotes and separators', 'a";b\\c%.txt', "inline; filename=\"a__b_c_.txt\"; filename*=UTF-8''a%22%3Bb%5Cc%25.txt"],
])('%s', (_label, name, expected) => {
  expect(contentDisposition('inline', name)).toBe(expected)
})
