/**
 * Browser (H5) file picking through a hidden <input type="file">. Taro's H5 runtime has no
 * chooseMessageFile, and an <input> lets phones offer the camera, the album and files alike.
 */
import type { PickedFile } from './files.types'
import { mimeFromName, RECORD_EXTENSIONS } from './mime'

function pickWithInput(accept: string, max: number): Promise<PickedFile[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input')
    input.type = 'file'
    input.accept = accept
    input.multiple = max > 1
    input.style.display = 'none'
    input.setAttribute('data-testid', 'file-picker')
    input.addEventListener('change', () => {
      const picked = Array.from(input.files ?? [])
        .slice(0, max)
        .map((file) => ({ name: file.name, size: file.size, mime: file.type || mimeFromName(file.name), source: file as Blob }))
      input.remove()
      resolve(picked)
    })
    input.addEventListener('cancel', () => {
      input.remove()
      resolve([])
    })
    document.body.appendChild(input)
    input.click()
  })
}

export function pickScreenshots(max: number): Promise<PickedFile[]> {
  return pickWithInput('image/*', max)
}

export function pickRecords(max: number): Promise<PickedFile[]> {
  return pickWithInput(['image/*', ...RECORD_EXTENSIONS.map((e) => `.${e}`)].join(','), max)
}
