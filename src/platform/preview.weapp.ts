/** WeChat preview: images in the image viewer, PDF and spreadsheets with openDocument. */
import Taro from '@tarojs/taro'
import { extensionOf, isImageMime } from './mime'

const DOCUMENT_TYPES = ['pdf', 'xls', 'xlsx', 'doc', 'docx', 'ppt', 'pptx']

/** Stored copies are named by key, without an extension, so the document type comes from the MIME type. */
const DOCUMENT_TYPE_BY_MIME: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
}

export async function previewFile(path: string, mime: string): Promise<void> {
  if (isImageMime(mime)) {
    await Taro.previewImage({ urls: [path], current: path })
    return
  }
  const ext = extensionOf(path) || DOCUMENT_TYPE_BY_MIME[mime] || ''
  if (!DOCUMENT_TYPES.includes(ext)) {
    await Taro.showToast({ title: '此类文件无法在微信内预览，提交后民警可以查看', icon: 'none' })
    return
  }
  await Taro.openDocument({ filePath: path, fileType: ext as 'pdf', showMenu: false })
}
