import { branchContactLines, branchDisplayName, dialablePhone, findBranch } from '@/domain/branches'
import { bundledConfig } from '@/domain/campaign'
import type { BranchOffice } from '@/domain/types'
import { noticeLines, readNotice } from './seed'

const notice = readNotice()

/** The offices listed in section 三 of the notice, as the capture prints them. */
function noticeOffices() {
  const re = /^\((.+?)\)(.+?扫黑办):?地址:(.+?),邮编:(\d{6}),举报电话:([\d-]+)。$/
  return noticeLines()
    .map((l) => re.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ listNumber: m[1], name: m[2], address: m[3], postcode: m[4], phone: m[5] }))
}

describe('configured branches against the notice', () => {
  it('the notice capture lists (十四) and (十六)', () => {
    expect(noticeOffices().map((o) => o.listNumber)).toEqual(['十四', '十六'])
  })

  it.each(noticeOffices().map((o) => [o.listNumber, o] as const))('(%s) is configured exactly as in the notice', (listNumber, office) => {
    const b = bundledConfig.branches.find((x) => x.listNumber === listNumber)
    expect(b).toEqual({ code: expect.any(String), ...office })
  })

  it.each([
    ['yd', '十四', '037009', '0352-7788110'],
    ['zs', '十六', '037000', '0352-6023774'],
  ])('%s is (%s), postcode %s, phone %s', (code, listNumber, postcode, phone) => {
    expect(findBranch(bundledConfig, code)).toMatchObject({ listNumber, postcode, phone })
  })

  it('the issuer is configured without invented contact details', () => {
    expect(findBranch(bundledConfig, 'sj')).toEqual({ code: 'sj', name: '大同市公安局扫黑办' })
    expect(notice.trim().split('\n').slice(-3)[0]).toBe('大同市公安局扫黑办')
  })

  it('every configured phone, postcode and address appears in the notice', () => {
    for (const b of bundledConfig.branches) {
      for (const v of [b.phone, b.postcode, b.address, b.name]) {
        if (v !== undefined) expect(notice).toContain(v)
      }
    }
  })

  it('configures no phone number the notice does not give', () => {
    const noticePhones = (notice.match(/0\d{3}-\d{7}/g) ?? []).sort()
    const configured = bundledConfig.branches.flatMap((b) => (b.phone ? [b.phone] : [])).sort()
    expect(configured).toEqual(noticePhones)
  })
})

describe('findBranch', () => {
  it.each<[string | undefined | null, string | undefined]>([
    ['yd', '大同市公安局御东分局扫黑办'],
    ['zs', '大同市公安局直属分局扫黑办'],
    ['sj', '大同市公安局扫黑办'],
    ['YD', undefined],
    ['xx', undefined],
    ['', undefined],
    [undefined, undefined],
    [null, undefined],
  ])('%j → %s', (code, name) => {
    expect(findBranch(bundledConfig, code)?.name).toBe(name)
  })
})

describe('branchContactLines / branchDisplayName / dialablePhone', () => {
  const full: BranchOffice = { code: 'yd', listNumber: '十四', name: '御东', address: '地址甲', postcode: '037009', phone: '0352-7788110' }
  it.each<[string, BranchOffice, string[], string | undefined]>([
    ['all details', full, ['地址：地址甲', '邮编：037009', '举报电话：0352-7788110'], '03527788110'],
    ['no phone', { ...full, phone: undefined }, ['地址：地址甲', '邮编：037009'], undefined],
    ['no postcode', { ...full, postcode: undefined }, ['地址：地址甲', '举报电话：0352-7788110'], '03527788110'],
    ['phone only', { code: 'x', name: 'X', phone: '0352-1' }, ['举报电话：0352-1'], '03521'],
    ['blank strings', { code: 'x', name: 'X', address: ' ', phone: '' }, [], undefined],
    ['nothing (the issuer)', { code: 'sj', name: '大同市公安局扫黑办' }, [], undefined],
  ])('%s', (_label, branch, lines, dial) => {
    expect(branchContactLines(branch)).toEqual(lines)
    expect(dialablePhone(branch)).toBe(dial)
  })

  it.each([
    ['yd', '(十四)大同市公安局御东分局扫黑办'],
    ['zs', '(十六)大同市公安局直属分局扫黑办'],
    ['sj', '大同市公安局扫黑办'],
  ])('display name of %s', (code, name) => {
    expect(branchDisplayName(findBranch(bundledConfig, code)!)).toBe(name)
  })
})
