/** WeChat pickers (src/platform/pick.weapp.ts) mapped to PickedFile; a cancelled picker is no error. */
import Taro, { __reset } from '../mocks/taro'
import { pickRecords, pickScreenshots } from '@/platform/pick.weapp'
import { RECORD_EXTENSIONS } from '@/platform/mime'

const chooseMedia = Taro.chooseMedia as jest.Mock
const chooseMessageFile = Taro.chooseMessageFile as jest.Mock

beforeEach(__reset)

describe('pickScreenshots', () => {
  it('asks for original images from album or camera, at most 9 at a time', async () => {
    await pickScreenshots(20)
    expect(chooseMedia).toHaveBeenCalledWith({ count: 9, mediaType: ['image'], sourceType: ['album', 'camera'], sizeType: ['original'] })
    await pickScreenshots(3)
    expect(chooseMedia).toHaveBeenLastCalledWith(expect.objectContaining({ count: 3 }))
  })

  it('maps the temporary files to picked files', async () => {
    chooseMedia.mockResolvedValueOnce({
      type: 'image',
      tempFiles: [
        { tempFilePath: 'wxfile://tmp_a1b2.png', size: 1234, fileType: 'image' },
        { tempFilePath: 'http://tmp/wx9f.jpeg', size: 99, fileType: 'image' },
        { tempFilePath: 'wxfile://tmp_noext', size: 7, fileType: 'image' },
      ],
    })
    expect(await pickScreenshots(9)).toEqual([
      { name: '截图1-tmp_a1b2.png', size: 1234, mime: 'image/png', source: 'wxfile://tmp_a1b2.png' },
      { name: '截图2-wx9f.jpeg', size: 99, mime: 'image/jpeg', source: 'http://tmp/wx9f.jpeg' },
      { name: '截图3-tmp_noext', size: 7, mime: 'image/jpeg', source: 'wxfile://tmp_noext' },
    ])
  })

  it('a cancelled picker answers []', async () => {
    chooseMedia.mockRejectedValueOnce({ errMsg: 'chooseMedia:fail cancel' })
    expect(await pickScreenshots(9)).toEqual([])
  })

  it('other failures are thrown for the page to explain', async () => {
    chooseMedia.mockRejectedValueOnce({ errMsg: 'chooseMedia:fail privacy permission is not authorized' })
    await expect(pickScreenshots(9)).rejects.toEqual({ errMsg: 'chooseMedia:fail privacy permission is not authorized' })
  })
})

describe('pickRecords', () => {
  it('asks for files forwarded from chats with the accepted extensions', async () => {
    await pickRecords(20)
    expect(chooseMessageFile).toHaveBeenCalledWith({ count: 20, type: 'all', extension: RECORD_EXTENSIONS })
  })

  it('maps chat files to picked files, typed by their names', async () => {
    chooseMessageFile.mockResolvedValueOnce({
      tempFiles: [
        { name: '银行流水.xlsx', path: 'wxfile://tmp_1', size: 5000, type: 'file', time: 1 },
        { name: '', path: 'wxfile://dir/tmp_2.pdf', size: 10, type: 'file', time: 2 },
        { name: '转账.PNG', path: 'wxfile://tmp_3', size: 20, type: 'image', time: 3 },
        { name: '说明.docx', path: 'wxfile://tmp_4', size: 30, type: 'file', time: 4 },
      ],
    })
    expect(await pickRecords(20)).toEqual([
      { name: '银行流水.xlsx', size: 5000, mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', source: 'wxfile://tmp_1' },
      { name: 'tmp_2.pdf', size: 10, mime: 'application/pdf', source: 'wxfile://dir/tmp_2.pdf' },
      { name: '转账.PNG', size: 20, mime: 'image/png', source: 'wxfile://tmp_3' },
      { name: '说明.docx', size: 30, mime: 'application/octet-stream', source: 'wxfile://tmp_4' },
    ])
  })

  it('a cancelled picker answers []', async () => {
    chooseMessageFile.mockRejectedValueOnce({ errMsg: 'chooseMessageFile:fail cancel' })
    expect(await pickRecords(5)).toEqual([])
  })

  it('other failures are thrown', async () => {
    chooseMessageFile.mockRejectedValueOnce(new Error('chooseMessageFile:fail internal error'))
    await expect(pickRecords(5)).rejects.toThrow('internal error')
  })
})
