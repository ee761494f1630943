/** WeChat file preview and app-hide hooks (src/platform/preview.weapp.ts, lifecycle.weapp.ts). */
import Taro, { __reset } from '../mocks/taro'
import { onLeaveApp } from '@/platform/lifecycle.weapp'
import { previewFile } from '@/platform/preview.weapp'

beforeEach(__reset)

const STORED = 'wxfile://usr/clue-report/att~d1~5f3a9c'

describe('previewFile (weapp)', () => {
  it('opens images in the image viewer', async () => {
    await previewFile(STORED, 'image/png')
    expect(Taro.previewImage).toHaveBeenCalledWith({ urls: [STORED], current: STORED })
    expect(Taro.openDocument).not.toHaveBeenCalled()
  })

  it.each<[string, string, string]>([
    // Stored copies are named by key, without an extension: the type comes from the MIME type.
    [STORED, 'application/pdf', 'pdf'],
    [STORED, 'application/vnd.ms-excel', 'xls'],
    [STORED, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
    ['wxfile://tmp/report.pdf', 'application/pdf', 'pdf'],
  ])('opens %s (%s) as a %s document', async (path, mime, fileType) => {
    await previewFile(path, mime)
    expect(Taro.openDocument).toHaveBeenCalledWith({ filePath: path, fileType, showMenu: false })
    expect(Taro.showToast).not.toHaveBeenCalled()
  })

  it('explains that other files cannot be previewed in WeChat', async () => {
    await previewFile(STORED, 'text/csv')
    expect(Taro.openDocument).not.toHaveBeenCalled()
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '此类文件无法在微信内预览，提交后民警可以查看', icon: 'none' })
  })
})

describe('onLeaveApp (weapp)', () => {
  it('subscribes to app hide and unsubscribes the same callback', () => {
    const callback = jest.fn()
    const stop = onLeaveApp(callback)
    expect(Taro.onAppHide).toHaveBeenCalledWith(callback)
    stop()
    expect(Taro.offAppHide).toHaveBeenCalledWith(callback)
  })
})
