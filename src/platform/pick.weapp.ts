/**
 * WeChat file picking: screenshots from the album or camera (chooseMedia), transaction records
 * forwarded from chats (chooseMessageFile). A cancelled picker is not an error.
 */
import Taro from '@tarojs/taro'
import type { PickedFile } from './files.types'
import { mimeFromName, RECORD_EXTENSIONS } from './mime'

function isCancel(err: unknown): boolean {
  return /cancel/i.test(String((err as { errMsg?: string })?.errMsg ?? err))
}

function baseName(path: string): string {
  return path.split('/').pop() || 'file'
}

export async function pickScreenshots(max: number): Promise<PickedFile[]> {
  try {
    const res = await Taro.chooseMedia({ count: Math.min(max, 9), mediaType: ['image'], sourceType: ['album', 'camera'], sizeType: ['original'] })
    return res.tempFiles.map((f, i) => {
      const name = `截图${i + 1}-${baseName(f.tempFilePath)}`
      return { name, size: f.size, mime: mimeFromName(f.tempFilePath, 'image/jpeg'), source: f.tempFilePath }
    })
  } catch (err) {
    if (isCancel(err)) return []
    throw err
  }
}

export async function pickRecords(max: number): Promise<PickedFile[]> {
  try {
    const res = await Taro.chooseMessageFile({ count: Math.min(max, 100), type: 'all', extension: RECORD_EXTENSIONS })
    return res.tempFiles.map((f) => ({ name: f.name || baseName(f.path), size: f.size, mime: mimeFromName(f.name || f.path), source: f.path }))
  } catch (err) {
    if (isCancel(err)) return []
    throw err
  }
}
