/** Browser preview: images in Taro's image viewer, other files in a new tab. */
import Taro from '@tarojs/taro'
import { isImageMime } from './mime'

export async function previewFile(url: string, mime: string): Promise<void> {
  if (isImageMime(mime)) {
    await Taro.previewImage({ urls: [url], current: url })
    return
  }
  window.open(url, '_blank', 'noopener')
}
