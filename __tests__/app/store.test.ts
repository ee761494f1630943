/**
 * The phone's draft store (src/drafts/*) over the Taro storage fake and an in-memory file store.
 */
import { __reset, __storage } from '../mocks/taro'
import { memoryFiles } from './support/memory-files'
import { attachmentOf, completeDraft, draftOf, MB, NOW } from './support/drafts'
import { STALE_AFTER_DAYS } from '@/domain/draft-model'
import type { DraftReport } from '@/domain/types'
import { newId } from '@/drafts/ids'
import { parseDraftRecord } from '@/drafts/serialize'
import {
  attachmentKey,
  createDraft,
  deleteAllDrafts,
  deleteDraft,
  listDrafts,
  loadDraft,
  purgeStaleDrafts,
  removeAttachmentFile,
  saveDraft,
} from '@/drafts/store'
import { storeAttachments } from '@/drafts/attachments'
import { wipeAllLocalData } from '@/drafts/wipe'
import type { PickedFile } from '@/platform/files.types'
import { readKey, storageKeys, writeKey } from '@/platform/storage'

jest.mock('@/platform/files', () => require('./support/memory-files'))

const DAY = 24 * 60 * 60 * 1000

beforeEach(() => {
  __reset()
  memoryFiles.clear()
})

function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY)
}

/** A picked temporary file; its first bytes are the real signature of its extension unless `head` is given. */
function picked(name: string, size: number, mime = 'image/png', head?: Uint8Array): PickedFile {
  return { name, size, mime, source: memoryFiles.addTemp(`wxfile://tmp/${name}`, size, head) }
}

const bytes = (...parts: (number[] | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from(Buffer.from(p, 'latin1')) : p)))
const WINDOWS_PROGRAM = bytes('MZ', [0x90, 0, 3, 0, 0, 0, 4, 0], 'This program cannot be run in DOS mode.')
const PNG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 13], 'IHDR')

describe('newId', () => {
  it('answers lowercase hex of the requested length, different every time', async () => {
    const a = await newId()
    const b = await newId(8)
    expect(a).toMatch(/^[0-9a-f]{24}$/)
    expect(b).toMatch(/^[0-9a-f]{16}$/)
    expect(await newId()).not.toBe(a)
  })
})

describe('create, save, load, list', () => {
  it('createDraft stores an empty anonymous draft with the preset and indexes it', async () => {
    const draft = await createDraft({ category: 'loan', branch: 'yd' }, NOW)
    expect(draft.id).toMatch(/^[0-9a-f]{24}$/)
    expect(draft).toMatchObject({
      category: 'loan',
      branch: 'yd',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      description: '',
      attachments: [],
      reporter: { anonymous: true, name: '', mobile: '', idNumber: '' },
      declaration: { truthful: false, liability: false },
    })
    expect(loadDraft(draft.id)).toEqual(draft)
    expect(readKey('drafts/index')).toEqual([{ id: draft.id, updatedAt: draft.updatedAt }])
  })

  it('saveDraft overwrites the record and keeps one index entry per draft', () => {
    const d = draftOf('d1')
    saveDraft(d)
    saveDraft({ ...d, description: '第二次保存', updatedAt: '2024-05-21T00:00:00.000Z' })
    expect(loadDraft('d1')?.description).toBe('第二次保存')
    expect(readKey('drafts/index')).toEqual([{ id: 'd1', updatedAt: '2024-05-21T00:00:00.000Z' }])
  })

  it('loadDraft answers undefined for an unknown id', () => {
    expect(loadDraft('nope')).toBeUndefined()
  })

  it('listDrafts answers the most recently changed first', () => {
    saveDraft(draftOf('old', {}, new Date('2024-05-01T00:00:00Z')))
    saveDraft(draftOf('new', {}, new Date('2024-05-19T00:00:00Z')))
    saveDraft(draftOf('mid', {}, new Date('2024-05-10T00:00:00Z')))
    expect(listDrafts().map((d) => d.id)).toEqual(['new', 'mid', 'old'])
  })

  it('a saved draft survives a JSON round trip unchanged', () => {
    const d = completeDraft('full', { attachments: [attachmentOf('full', 1)], extra: { freeText: '补充' } })
    saveDraft(d)
    expect(loadDraft('full')).toEqual(d)
  })
})

describe('parseDraftRecord', () => {
  const good = completeDraft('ok', { attachments: [attachmentOf('ok', 1)] })
  const broken = (patch: Record<string, unknown>) => ({ ...good, ...patch })

  it('accepts a well-formed draft', () => {
    expect(parseDraftRecord(JSON.parse(JSON.stringify(good)))).toEqual(good)
  })

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'drafts'],
    ['a number', 42],
    ['an array', [good]],
    ['empty id', broken({ id: '' })],
    ['numeric id', broken({ id: 7 })],
    ['missing createdAt', broken({ createdAt: undefined })],
    ['unparsable updatedAt', broken({ updatedAt: 'yesterday' })],
    ['numeric category', broken({ category: 3 })],
    ['numeric branch', broken({ branch: 1 })],
    ['missing happenedAt', broken({ happenedAt: undefined })],
    ['null description', broken({ description: null })],
    ['links not an array', broken({ links: 'www.example.com' })],
    ['non-string link', broken({ links: ['ok.com', 5] })],
    ['party missing', broken({ party: undefined })],
    ['party an array', broken({ party: ['a'] })],
    ['party with a number', broken({ party: { accounts: '', phones: 138, websites: '' } })],
    ['extra with an object', broken({ extra: { app: { name: 'x' } } })],
    ['attachments not an array', broken({ attachments: {} })],
    ['attachment null', broken({ attachments: [null] })],
    ['attachment with unknown label', broken({ attachments: [{ ...attachmentOf('ok', 1), label: '视频' }] })],
    ['attachment with negative size', broken({ attachments: [{ ...attachmentOf('ok', 1), size: -1 }] })],
    ['attachment without ref', broken({ attachments: [{ ...attachmentOf('ok', 1), ref: undefined }] })],
    ['reporter missing', broken({ reporter: undefined })],
    ['reporter.anonymous a string', broken({ reporter: { ...good.reporter, anonymous: 'yes' } })],
    ['reporter.mobile a number', broken({ reporter: { ...good.reporter, mobile: 13800138000 } })],
    ['declaration missing', broken({ declaration: null })],
    ['declaration.truthful a string', broken({ declaration: { truthful: 'true', liability: true } })],
  ])('rejects %s', (_name, raw) => {
    expect(parseDraftRecord(raw)).toBeUndefined()
  })

  it('the store skips damaged records without throwing', () => {
    saveDraft(draftOf('good'))
    saveDraft(draftOf('damaged'))
    // Damage the stored record behind the store's back, as an old version or a full disk might.
    __storage.set(storageKeys.draft('damaged'), JSON.stringify({ id: 'damaged', links: 'x' }))
    // An index entry whose record is gone, and junk entries in the index.
    const index = readKey('drafts/index')!
    writeKey('drafts/index', [...index, { id: 'gone', updatedAt: NOW.toISOString() }, null, { id: 3 }] as never)
    expect(() => listDrafts()).not.toThrow()
    expect(listDrafts().map((d) => d.id)).toEqual(['good'])
    expect(loadDraft('damaged')).toBeUndefined()
  })

  it('an index that is not a list reads as empty', () => {
    __storage.set(storageKeys.draftIndex, JSON.stringify('corrupt'))
    expect(listDrafts()).toEqual([])
    saveDraft(draftOf('d1'))
    expect(listDrafts().map((d) => d.id)).toEqual(['d1'])
  })
})

describe('deleting', () => {
  async function draftWithFiles(id: string, n: number): Promise<DraftReport> {
    const attachments = []
    for (let i = 1; i <= n; i++) {
      const a = attachmentOf(id, i)
      await memoryFiles.storeFile(a.ref, memoryFiles.addTemp(`tmp/${id}/${i}`, a.size))
      attachments.push(a)
    }
    const d = draftOf(id, { attachments })
    saveDraft(d)
    return d
  }

  it('deleteDraft removes the record, the index entry and only its own attachment files', async () => {
    await draftWithFiles('keep', 2)
    await draftWithFiles('drop', 3)
    await deleteDraft('drop')
    expect(loadDraft('drop')).toBeUndefined()
    expect(__storage.has(storageKeys.draft('drop'))).toBe(false)
    expect(readKey('drafts/index')!.map((e) => e.id)).toEqual(['keep'])
    expect(memoryFiles.keys()).toEqual(['att/keep/a1', 'att/keep/a2'])
  })

  it('deleteDraft does not touch a draft whose id starts with the deleted one', async () => {
    await draftWithFiles('ab', 1)
    await draftWithFiles('abc', 1)
    await deleteDraft('ab')
    expect(memoryFiles.keys()).toEqual(['att/abc/a1'])
    expect(listDrafts().map((d) => d.id)).toEqual(['abc'])
  })

  it('deleteAllDrafts removes every draft and attachment file', async () => {
    await draftWithFiles('one', 1)
    await draftWithFiles('two', 2)
    await deleteAllDrafts()
    expect(listDrafts()).toEqual([])
    expect(readKey('drafts/index')).toEqual([])
    expect([...__storage.keys()].filter((k) => k.startsWith('drafts/item/'))).toEqual([])
    expect(memoryFiles.keys()).toEqual([])
  })

  it('removeAttachmentFile removes just that file', async () => {
    const d = await draftWithFiles('d', 2)
    await removeAttachmentFile(d.attachments[0])
    expect(memoryFiles.keys()).toEqual(['att/d/a2'])
  })

  it('wipeAllLocalData removes drafts, decisions, queued reports and every file, but not the cached config', async () => {
    await draftWithFiles('one', 2)
    writeKey('privacy/decision', { agreed: false, at: NOW.toISOString() })
    writeKey('notices/pending', ['x'])
    writeKey('config/campaign', { version: 1 })
    __storage.set('outbox/r1', JSON.stringify({ sealed: true }))
    await memoryFiles.appendFile('outbox/r1.bin', new Uint8Array([1, 2, 3]))
    await wipeAllLocalData()
    expect([...__storage.keys()]).toEqual(['config/campaign'])
    expect(memoryFiles.keys()).toEqual([])
    expect(listDrafts()).toEqual([])
  })
})

describe('purgeStaleDrafts', () => {
  const now = new Date('2024-06-30T12:00:00.000Z')

  it.each<[number, boolean]>([
    [0, true],
    [29, true],
    [STALE_AFTER_DAYS - 0.5, true],
    [STALE_AFTER_DAYS, false],
    [31, false],
    [400, false],
  ])('a draft untouched for %s days is kept: %s', async (days, kept) => {
    saveDraft(draftOf('d', {}, daysBefore(now, days)))
    const purged = await purgeStaleDrafts(now)
    expect(purged).toBe(kept ? 0 : 1)
    expect(loadDraft('d') !== undefined).toBe(kept)
  })

  it('purges the stale ones with their files, keeps the rest, and answers how many went', async () => {
    saveDraft(draftOf('fresh', {}, daysBefore(now, 29)))
    saveDraft(draftOf('stale1', { attachments: [attachmentOf('stale1', 1)] }, daysBefore(now, 31)))
    saveDraft(draftOf('stale2', {}, daysBefore(now, 45)))
    await memoryFiles.storeFile('att/stale1/a1', memoryFiles.addTemp('t1', 10))
    await memoryFiles.storeFile('att/fresh/a1', memoryFiles.addTemp('t2', 10))
    expect(await purgeStaleDrafts(now)).toBe(2)
    expect(listDrafts().map((d) => d.id)).toEqual(['fresh'])
    expect(memoryFiles.keys()).toEqual(['att/fresh/a1'])
  })

  it('drops unreadable records from the index without counting them', async () => {
    saveDraft(draftOf('fresh', {}, daysBefore(now, 1)))
    saveDraft(draftOf('bad', {}, daysBefore(now, 1)))
    __storage.set(storageKeys.draft('bad'), JSON.stringify({ id: 'bad' }))
    expect(await purgeStaleDrafts(now)).toBe(0)
    expect(readKey('drafts/index')!.map((e) => e.id)).toEqual(['fresh'])
  })
})

describe('storeAttachments', () => {
  it('copies accepted files into storage under the draft and answers the attachments', async () => {
    const draft = draftOf('d1')
    const res = await storeAttachments(draft, [picked('a.png', 1000), picked('流水.pdf', 2000, 'application/pdf')], '截图')
    expect(res.refused).toEqual([])
    expect(res.added).toHaveLength(2)
    expect(res.added[0]).toMatchObject({ label: '截图', name: 'a.png', mime: 'image/png', size: 1000 })
    expect(res.added[1]).toMatchObject({ name: '流水.pdf', mime: 'application/pdf', size: 2000 })
    for (const a of res.added) {
      expect(a.id).toMatch(/^[0-9a-f]{16}$/)
      expect(a.ref).toBe(attachmentKey('d1', a.id))
      expect(memoryFiles.has(a.ref)).toBe(true)
    }
    // The draft itself is not changed: the page adds the answered attachments.
    expect(draft.attachments).toEqual([])
  })

  it.each<[string, () => { draft: DraftReport; files: PickedFile[] }, number, string]>([
    [
      'the 21st file',
      () => ({ draft: draftOf('d1'), files: Array.from({ length: 21 }, (_, i) => picked(`p${i + 1}.png`, 100)) }),
      20,
      '「p21.png」未添加：最多只能添加 20 个文件',
    ],
    [
      'any file when the draft already has 20',
      () => ({ draft: draftOf('d1', { attachments: Array.from({ length: 20 }, (_, i) => attachmentOf('d1', i)) }), files: [picked('more.png', 100)] }),
      0,
      '「more.png」未添加：最多只能添加 20 个文件',
    ],
    [
      'a file over 20 MB',
      () => ({ draft: draftOf('d1'), files: [picked('big.png', 20 * MB + 1), picked('ok.png', 20 * MB)] }),
      1,
      '「big.png」未添加：单个文件不能超过 20 MB',
    ],
    [
      'a file that would pass 100 MB in all',
      () => ({
        draft: draftOf('d1', { attachments: Array.from({ length: 4 }, (_, i) => attachmentOf('d1', i, { size: 20 * MB })) }),
        files: [picked('fifth.png', 20 * MB), picked('one-byte-more.png', 1)],
      }),
      1,
      '「one-byte-more.png」未添加：所有文件合计不能超过 100 MB',
    ],
    [
      'an unaccepted type',
      () => ({ draft: draftOf('d1'), files: [picked('录音.mp3', 100, 'audio/mpeg'), picked('报表.xlsx', 100, 'application/octet-stream')] }),
      1,
      '「录音.mp3」未添加：只支持图片、PDF、Excel（xls/xlsx）和 CSV 文件',
    ],
  ])('refuses %s with a Chinese message', async (_name, setup, addedCount, message) => {
    const { draft, files } = setup()
    const res = await storeAttachments(draft, files, '交易记录')
    expect(res.added).toHaveLength(addedCount)
    expect(res.refused).toEqual([message])
    expect(memoryFiles.keys()).toHaveLength(addedCount)
  })

  it('refuses an empty file instead of adding something the evidence step then rejects', async () => {
    const res = await storeAttachments(draftOf('d1'), [picked('empty.png', 0)], '截图')
    expect(res.added).toEqual([])
    expect(res.refused).toEqual(['「empty.png」未添加：文件是空的（0 字节），请重新选择'])
    expect(memoryFiles.keys()).toEqual([])
  })

  it('reports a file that cannot be copied and goes on with the others', async () => {
    const bad = picked('bad.png', 100)
    memoryFiles.failing.add(bad.source as string)
    const res = await storeAttachments(draftOf('d1'), [bad, picked('good.png', 100)], '截图')
    expect(res.added.map((a) => a.name)).toEqual(['good.png'])
    expect(res.refused).toEqual(['「bad.png」保存失败，请重试（手机存储空间可能不足）'])
  })

  describe('checks the first bytes against the declared type (issue 12, item 7)', () => {
    it('refuses a Windows program renamed setup.jpg, says what it is, and keeps no copy', async () => {
      const res = await storeAttachments(draftOf('d1'), [picked('setup.jpg', 4000, 'image/jpeg', WINDOWS_PROGRAM), picked('ok.png', 100)], '截图')
      expect(res.added.map((a) => a.name)).toEqual(['ok.png'])
      expect(res.refused).toEqual(['「setup.jpg」未添加：文件名是图片，但文件不是图片（内容是Windows 程序），不能作为证明材料。请重新选择原始的截图'])
      expect(memoryFiles.keys()).toEqual([res.added[0].ref])
    })

    it.each<[string, string, Uint8Array]>([
      ['a PDF named 截图.png', 'image/png', bytes('%PDF-1.7\n')],
      ['an unreadable file named 截图.png', 'image/png', bytes([0x00, 0x01, 0x02, 0x03, 0xfe, 0xff])],
      ['an Android package named 流水.xlsx', 'application/octet-stream', bytes([0x50, 0x4b, 0x03, 0x04], 'xxxxxxxxxxxxxxxxxxxxxxxxxxAndroidManifest.xml')],
      ['a program named 记录.pdf', 'application/pdf', WINDOWS_PROGRAM],
    ])('refuses %s', async (_what, mime, head) => {
      const name = _what.split(' ').pop()!
      const res = await storeAttachments(draftOf('d1'), [picked(name, 4000, mime, head)], '交易记录')
      expect(res.added).toEqual([])
      expect(res.refused[0]).toMatch(new RegExp(`^「${name}」未添加：`))
      expect(memoryFiles.keys()).toEqual([])
    })

    it('takes a PNG saved as .jpg as the PNG it is, and says so', async () => {
      const res = await storeAttachments(draftOf('d1'), [picked('聊天.jpg', 4000, 'image/jpeg', PNG)], '截图')
      expect(res.refused).toEqual([])
      expect(res.added[0]).toMatchObject({ name: '聊天.jpg', mime: 'image/png', label: '截图' })
      expect(res.notes).toEqual(['「聊天.jpg」文件名与内容不符，文件实际是PNG 图片，已按PNG 图片添加'])
    })

    it('adds files whose content is what they say without a note', async () => {
      const res = await storeAttachments(draftOf('d1'), [picked('a.png', 100), picked('b.jpg', 100, 'image/jpeg'), picked('c.pdf', 100, 'application/pdf'), picked('d.xls', 100, ''), picked('e.xlsx', 100, ''), picked('f.csv', 14, 'text/csv')], '交易记录')
      expect(res.refused).toEqual([])
      expect(res.notes).toEqual([])
      expect(res.added.map((a) => a.mime)).toEqual(['image/png', 'image/jpeg', 'application/pdf', 'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv'])
    })
  })

  it('counts the stored size, not the size the picker claimed', async () => {
    const file = { ...picked('a.png', 100), size: 5 }
    const res = await storeAttachments(draftOf('d1'), [file], '截图')
    expect(res.added[0].size).toBe(100)
  })
})
