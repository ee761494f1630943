import {
  countChars,
  formatHappenedAt,
  isPhoneNumber,
  isUnknown,
  joinHappenedAt,
  looksLikeLink,
  normalizeLink,
  normalizeMobile,
  parseAmount,
  residentIdCheckChar,
  splitHappenedAt,
  splitPhoneList,
  tidyAmount,
  tidyMobile,
  tidyResidentId,
  toHalfWidth,
  UNKNOWN,
  validateAmount,
  validateDescription,
  validateHappenedAt,
  validateLink,
  validateMobile,
  validateNamesOrLinks,
  validateOptionalField,
  validatePhoneList,
  validateResidentId,
} from '@/domain/validators'

describe('validateLink', () => {
  it.each([
    'https://example.com',
    'http://example.com',
    'HTTPS://Example.COM/Path?q=1#frag',
    'https://mp.weixin.qq.com/s/AbC-dEf_123',
    'https://www.douyin.com/video/7209876543210987654',
    'https://v.douyin.com/iRNBkQ3x/',
    'https://weibo.com/u/1234567890?refer_flag=1001030103_',
    'example.com/path',
    'www.abc.cn',
    'abc.com.cn',
    'sub-domain.example.org:8080/a/b',
    'http://192.168.1.10:8080/admin',
    '1.2.3.4',
    'https://例子.中国',
    '例子.中国/路径',
    'https://xn--fsqu00a.xn--fiqs8s/',
    'https://user@example.com/',
    'https://example.com/搜索?关键词=套路贷',
    'https://example.com/a%20b',
    '  https://example.com  ',
    // Longer than the 2048 the input used to cut silently: browsers accept it, so do we.
    'https://example.com/' + 'a'.repeat(3000),
    'https://example.com/' + 'a'.repeat(7980),
  ])('accepts %j', (link) => {
    expect(validateLink(link)).toBeNull()
  })

  it.each<[string, RegExp]>([
    ['', /请填写网址或链接/],
    ['   ', /请填写网址或链接/],
    ['abc', /请填写完整的网址/],
    ['localhost', /请填写完整的网址/],
    ['localhost:8080', /请填写完整的网址/],
    ['http://', /缺少域名/],
    ['https://', /缺少域名/],
    ['https:///path', /缺少域名/],
    ['//example.com', /缺少域名/],
    ['ftp://x', /只支持以 http:\/\/ 或 https:\/\/ 开头/],
    ['ftp://example.com/file', /只支持/],
    ['javascript:alert(1)', /只支持/],
    ['JavaScript:void(0)', /只支持/],
    ['data:text/html,<b>x</b>', /只支持/],
    ['weixin://dl/business', /只支持/],
    ['mailto:a@example.com', /只支持/],
    ['http:example.com', /应以 http:\/\/ 或 https:\/\/ 开头/],
    ['https://exa mple.com', /不能有空格/],
    ['https://example.com/a b', /不能有空格/],
    ['https://a.com\nhttps://b.com', /不能有空格或换行/],
    ['example', /请填写完整的网址/],
    ['example.c', /域名不正确/],
    ['example.123', /域名不正确/],
    ['-example.com', /域名不正确/],
    ['example-.com', /域名不正确/],
    ['exa_mple.com', /域名不正确/],
    ['example..com', /域名不正确/],
    ['.example.com', /域名不正确/],
    ['www.abc。cn', /英文句点/],
    ['https://example.com:99999', /端口号/],
    ['https://example.com:0', /端口号/],
    ['https://example.com:', /端口号/],
    ['http://999.1.1.1', /IP地址/],
    ['https://' + 'a'.repeat(64) + '.com', /域名不正确/],
    ['https://example.com/' + 'a'.repeat(7981), /链接过长：现在有8001个字符，最多可以填8000个字符/],
    ['https://example.com/\u0000', /无效字符/],
  ])('rejects %j', (link, message) => {
    expect(validateLink(link)).toMatch(message)
  })
})

describe('normalizeLink', () => {
  it.each([
    ['example.com/path', 'https://example.com/path'],
    ['www.abc.cn', 'https://www.abc.cn'],
    [' http://a.cn/x ', 'http://a.cn/x'],
    ['HTTPS://A.cn/X', 'https://A.cn/X'],
    ['例子.中国', 'https://例子.中国'],
  ])('%j → %j', (input, href) => {
    expect(normalizeLink(input)).toEqual({ original: input.trim(), href })
  })

  it.each(['abc', 'javascript:alert(1)', '', 'http://'])('%j → null', (input) => {
    expect(normalizeLink(input)).toBeNull()
  })
})

describe('validateMobile / normalizeMobile', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['19912345678', '19912345678'],
    ['16612345678', '16612345678'],
    ['17012345678', '17012345678'],
    ['+8613800138000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['86 13800138000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    [' 138 0013 8000 ', '13800138000'],
    ['13800138000', '13800138000'],
  ])('accepts %j as %s', (input, normalized) => {
    expect(validateMobile(input)).toBeNull()
    expect(normalizeMobile(input)).toBe(normalized)
  })

  it.each<[string, RegExp]>([
    ['', /请填写手机号码/],
    ['1380013800', /11位/],
    ['138001380000', /11位/],
    ['12800138000', /11位/],
    ['10086', /11位/],
    ['23800138000', /11位/],
    ['+1 13800138000', /11位/],
    ['0352-7788110', /11位/],
    ['1380013800a', /只能包含数字/],
    ['138.0013.8000', /只能包含数字/],
    ['(+86)13800138000', /只能包含数字/],
  ])('rejects %j', (input, message) => {
    expect(validateMobile(input)).toMatch(message)
    expect(normalizeMobile(input)).toBeNull()
  })
})

describe('validateResidentId (GB 11643-1999)', () => {
  const now = new Date(2024, 5, 1, 12, 0) // 2024-06-01 local

  it.each([
    '11010519491231002X',
    '11010519491231002x',
    '140202198506123018',
    '140211199001010027',
    '440304200002291236',
    '140225197707084561',
    '140202200511117894',
    '630102199912310009',
    '350203198808088882',
    '500103200109115557',
    '650102197001017770',
    '810000198001011236',
    '710000196606060660',
    '83000019950505051X',
    '140202200002290103',
    '140202202406011237',
    ' 1402 0219 8506 1230 18 ',
  ])('accepts %s', (id) => {
    expect(validateResidentId(id, now)).toBeNull()
  })

  it.each<[string, RegExp]>([
    ['', /请填写身份证号码/],
    ['14020219850612301', /应为18位/],
    ['1402021985061230188', /应为18位/],
    ['140202198506123019', /校验位不正确/],
    ['140202198506123010', /校验位不正确/],
    ['11010519491231002Y', /最后一位为数字或X/],
    ['X10105194912310021', /前17位应为数字/],
    ['11010519491231002X'.replace('X', '1'), /校验位不正确/],
    ['140211199001010028', /校验位不正确/],
    ['990202198506123016', /地区码不正确/],
    ['000202198506123016', /地区码不正确/],
    ['140202199902301239', /出生日期不正确/],
    ['140202190002290107', /出生日期不正确/],
    ['140202189912311239', /出生日期不正确/],
    ['140202202501011235', /出生日期不正确/],
    ['140202202406021232', /出生日期不正确/],
  ])('rejects %s', (id, message) => {
    expect(validateResidentId(id, now)).toMatch(message)
  })

  it.each([
    ['11010519491231002', 'X'],
    ['14020219850612301', '8'],
    ['63010219991231000', '9'],
    ['71000019660606066', '0'],
    ['14021119900101002', '7'],
  ])('check character of %s is %s', (first17, check) => {
    expect(residentIdCheckChar(first17)).toBe(check)
  })
})

describe('validateDescription', () => {
  it.each<[string, string | null | RegExp]>([
    ['一二三四五六七八九十一二三四五六七八九十', null],
    ['  一二三四五六七八九十一二三四五六七八九十  ', null],
    ['一二三四五六七八九十一二三四五六七八九', /至少20个字（现在19个字）/],
    ['          一二三          ', /现在3个字/],
    ['', /现在0个字/],
    ['😀'.repeat(19), /现在19个字/],
    ['😀'.repeat(20), null],
    ['𠀀'.repeat(20), null],
    ['a'.repeat(5000), null],
    ['a'.repeat(5001), /不能超过5000个字（现在5001个字）/],
  ])('%j', (text, expected) => {
    const result = validateDescription(text)
    if (expected === null) expect(result).toBeNull()
    else expect(result).toMatch(expected)
  })
})

describe('UNKNOWN / isUnknown / validateOptionalField', () => {
  it('UNKNOWN is 不清楚', () => expect(UNKNOWN).toBe('不清楚'))

  it.each<[string | undefined | null, boolean]>([
    ['不清楚', true],
    [' 不清楚 ', true],
    ['不清楚。', false],
    ['不知道', false],
    ['', false],
    [undefined, false],
    [null, false],
  ])('isUnknown(%j) = %s', (v, expected) => {
    expect(isUnknown(v)).toBe(expected)
  })

  it.each<[string | undefined, number | undefined, string | null | RegExp]>([
    ['', undefined, null],
    [undefined, undefined, null],
    ['不清楚', undefined, null],
    ['某交友App', undefined, null],
    ['a'.repeat(500), undefined, null],
    ['a'.repeat(501), undefined, /不能超过500个字/],
    ['一二三四', 3, /不能超过3个字（现在4个字）/],
  ])('validateOptionalField(%j, %s)', (v, max, expected) => {
    const result = validateOptionalField(v, max)
    if (expected === null) expect(result).toBeNull()
    else expect(result).toMatch(expected)
  })
})

describe('validateAmount / parseAmount', () => {
  it.each<[string, number | undefined]>([
    ['0', 0],
    ['5000', 5000],
    ['5000.5', 5000.5],
    ['5000.50', 5000.5],
    ['0.01', 0.01],
    ['1,200.50', 1200.5],
    ['12,345,678', 12345678],
    ['300元', 300],
    ['300 元', 300],
    ['5000', 5000],
    [' 88 ', 88],
    ['不清楚', undefined],
    ['２００００', 20000],
    ['２０，０００．５０', 20000.5],
    ['20 000', 20000],
    ['2万', 20000],
    ['1.5万元', 15000],
  ])('accepts %j (parsed %s)', (input, parsed) => {
    expect(validateAmount(input)).toBeNull()
    expect(parseAmount(input)).toBe(parsed)
  })

  it.each<[string, RegExp]>([
    ['', /请填写金额/],
    ['-5', /不能为负数/],
    ['5.123', /最多保留两位小数/],
    ['1,2,3', /请填写数字金额/],
    ['12,34', /请填写数字金额/],
    ['万', /请填写数字金额/],
    ['abc', /请填写数字金额/],
    ['.5', /请填写数字金额/],
    ['5.', /请填写数字金额/],
    ['1e5', /请填写数字金额/],
    ['Infinity', /请填写数字金额/],
    ['1000000000001', /金额过大/],
  ])('rejects %j', (input, message) => {
    expect(validateAmount(input)).toMatch(message)
    expect(parseAmount(input)).toBeUndefined()
  })
})

describe('tidyAmount / tidyMobile / tidyResidentId: what a box holds after the resident leaves it', () => {
  it.each<[string, string]>([
    ['２００００', '20000'],
    ['1３８00', '13800'],
    ['２０，０００．５０元', '20,000.50元'],
    ['20 000', '20000'],
    ['20000', '20000'],
    ['不清楚', '不清楚'],
    ['abc', 'abc'],
    ['5.123', '5.123'],
  ])('tidyAmount(%j) = %j', (input, output) => {
    expect(tidyAmount(input)).toBe(output)
  })

  it.each<[string, string]>([
    ['1３８00138000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['＋８６１３８００１３８０００', '13800138000'],
    ['13800138000', '13800138000'],
    ['12345', '12345'],
    ['', ''],
  ])('tidyMobile(%j) = %j', (input, output) => {
    expect(tidyMobile(input)).toBe(output)
  })

  it.each<[string, string]>([
    [' 1101 0519 4912 3100 2x ', '11010519491231002X'],
    ['11010519491231002X', '11010519491231002X'],
    ['1101', '1101'],
  ])('tidyResidentId(%j) = %j', (input, output) => {
    expect(tidyResidentId(input, new Date(2024, 5, 1))).toBe(output)
  })
})

describe('validateNamesOrLinks (对方的网站、App 名称)', () => {
  it.each([
    '甜心交友',
    '“甜心”交友App',
    '甜心交友App https://tianxin.example.com/download',
    'www.tianxin.cn',
    '某某贷\n快乐借App\nhttps://loan.example.com',
    '不清楚',
    '',
  ])('accepts %j', (text) => {
    expect(validateNamesOrLinks(text, 5000)).toBeNull()
  })

  it.each<[string, RegExp]>([
    ['甜心交友 weixin://dl/chat', /“weixin:\/\/dl\/chat”：只支持以 http:\/\/ 或 https:\/\/ 开头的网址/],
    ['https://exa_mple.com', /域名不正确/],
    ['a'.repeat(31), /不能超过30个字（现在31个字）/],
  ])('rejects %j', (text, message) => {
    expect(validateNamesOrLinks(text, 30)).toMatch(message)
  })

  it.each<[string, boolean]>([
    ['https://a.cn', true],
    ['weixin://x', true],
    ['www.a.cn', true],
    ['甜心交友', false],
    ['a.cn', false],
  ])('looksLikeLink(%j) = %s', (word, yes) => {
    expect(looksLikeLink(word)).toBe(yes)
  })
})

describe('happenedAt: a date alone is its own value', () => {
  it.each<[string, { date: string; time: string }, string]>([
    ['2024-05-01', { date: '2024-05-01', time: '' }, '2024年5月1日（未填具体时间）'],
    ['2024-05-01T14:30', { date: '2024-05-01', time: '14:30' }, '2024年5月1日 14:30'],
    ['2024-05-01T00:00', { date: '2024-05-01', time: '00:00' }, '2024年5月1日 00:00'],
    ['', { date: '', time: '' }, ''],
    ['昨天', { date: '', time: '' }, ''],
  ])('%j', (value, parts, text) => {
    expect(splitHappenedAt(value)).toEqual(parts)
    expect(formatHappenedAt(value)).toBe(text)
  })

  it('joins a date without a time as the date alone, never midnight', () => {
    expect(joinHappenedAt('2024-05-01', '')).toBe('2024-05-01')
    expect(joinHappenedAt('2024-05-01', '09:05')).toBe('2024-05-01T09:05')
    expect(joinHappenedAt('', '09:05')).toBe('')
  })
})

describe('validatePhoneList', () => {
  it.each([
    '13800138000',
    '0352-7788110',
    '03527788110',
    '010-12345678',
    '(0352)7788110',
    '0352-7788110-123',
    '95555',
    '95188',
    '96777',
    '10086',
    '12345',
    '106912345678',
    '400-123-4567',
    '4001234567',
    '+85291234567',
    '+63 9171234567'.replace(' ', ''),
    '0085291234567',
    '+86 13800138000'.replace(' ', ''),
    '13800138000,0352-7788110',
    '13800138000，13900139000；0352-7788110、95555',
    '13800138000 13900139000',
    '13800138000\n13900139000\r\n\n0352-7788110',
    '138-0013-8000, 139-0013-9000',
    '不清楚',
    ' 不清楚 ',
    // The hint says "commas or new lines": spaces inside one number are part of it.
    '+86 138 0013 8000',
    '+86 138 0013 8000, 0352 7788110',
    '138 0013 8000\n139 0013 9000',
  ])('accepts %j', (list) => {
    expect(validatePhoneList(list)).toBeNull()
  })

  it.each<[string, RegExp]>([
    ['', /请填写电话号码/],
    ['abc', /“abc”不是有效的电话号码/],
    ['1380013800', /“1380013800”不是有效的电话号码/],
    ['13800138000, 123', /“123”不是有效的电话号码/],
    ['0352-12', /“0352-12”/],
    ['+8612345', /“\+8612345”/],
    ['+1234', /“\+1234”/],
    ['13800138000 不清楚', /“不清楚”/],
    [Array(51).fill('13800138000').join(','), /最多填写50个/],
  ])('rejects %j', (list, message) => {
    expect(validatePhoneList(list)).toMatch(message)
  })

  it('splits on commas, semicolons, 、 and newlines, full-width too, and on spaces between numbers', () => {
    expect(splitPhoneList(' 1,2，3;4；5、6 7\n8\u30009 ')).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(splitPhoneList('+86 138 0013 8000，13900139000 13700137000')).toEqual(['+86 138 0013 8000', '13900139000', '13700137000'])
  })

  it.each<[string, boolean]>([
    ['13800138000', true],
    ['0352-7788110', true],
    ['95555', true],
    ['9555', false],
    ['00861380013800', false],
  ])('isPhoneNumber(%j) = %s', (t, ok) => {
    expect(isPhoneNumber(t)).toBe(ok)
  })
})

describe('validateHappenedAt', () => {
  const now = new Date(2024, 5, 1, 12, 30, 0) // 2024-06-01 12:30 local

  it.each([
    '2024-06-01T12:30',
    '2024-06-01T12:29',
    '2024-06-01',
    '2024-05-31T23:59',
    '2024-02-29T08:00',
    '2023-03-09 10:15',
    '2023-03-09T10:15:30',
    '2000-01-01T00:00',
    '2000-01-01',
  ])('accepts %s', (iso) => {
    expect(validateHappenedAt(iso, now)).toBeNull()
  })

  it.each<[string, RegExp]>([
    ['', /请选择事情发生的时间/],
    ['2024-06-01T12:31', /不能晚于现在/],
    ['2024-06-02', /不能晚于现在/],
    ['2030-01-01T00:00', /不能晚于现在/],
    ['1999-12-31T23:59', /不能早于2000年/],
    ['1999-12-31', /不能早于2000年/],
    ['2023-02-29T08:00', /格式不正确/],
    ['2023-13-01', /格式不正确/],
    ['2023-01-01T24:00', /格式不正确/],
    ['2023-01-01T12:60', /格式不正确/],
    ['2023/01/01', /格式不正确/],
    ['2023-1-1', /格式不正确/],
    ['昨天', /格式不正确/],
    ['2023-01-01T12:00Z', /格式不正确/],
  ])('rejects %j', (iso, message) => {
    expect(validateHappenedAt(iso, now)).toMatch(message)
  })
})

describe('helpers', () => {
  it.each([
    ['１３８００１３８０００', '13800138000'],
    ['１２，３４５．６７', '12,345.67'],
    ['Ａｂｃ\u3000１', 'Abc 1'],
    ['不清楚', '不清楚'],
  ])('toHalfWidth(%j) = %j', (input, output) => {
    expect(toHalfWidth(input)).toBe(output)
  })

  it.each([
    ['', 0],
    ['abc', 3],
    ['举报', 2],
    ['😀👍', 2],
    ['𠀀', 1],
  ])('countChars(%j) = %s', (s, n) => {
    expect(countChars(s)).toBe(n)
  })
})
