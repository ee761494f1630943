/**
 * Pickers and viewers.
 * - wx.chooseMedia (https://developers.weixin.qq.com/miniprogram/dev/api/media/video/wx.chooseMedia.html):
 *   count 1–20 (9 before base library 2.25.0; we allow 20), privacy-protected; gives
 *   { tempFiles: [{ tempFilePath, size, fileType, width, height }], type }; the files are copies of
 *   the fixtures under a random "wxfile://tmp_…" name (the original name is not passed on, as on
 *   the phone); a cancel fails "chooseMedia:fail cancel".
 * - wx.chooseMessageFile (https://developers.weixin.qq.com/miniprogram/dev/api/media/image/wx.chooseMessageFile.html):
 *   count 1–100, privacy-protected; `extension` filters what can be picked; gives
 *   { tempFiles: [{ path, size, name, type: 'file', time }] } with the original name.
 * What the resident picks is scripted on the Device (willPickMedia / willPickMessageFiles); a
 * picker opened with nothing scripted is a violation (the test did not expect it).
 * - wx.previewImage / wx.openDocument only check the file exists and record the call.
 */
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, statSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import type { Device, PickAnswer } from '../device'
import { asyncApi, WxFail, type ApiContext } from './api'
import { TEMP_PREFIX } from './fs'

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.heic', '.bmp'])

export function createMedia(ctx: ApiContext, device: Device, privacy: { ask(referrer: string): Promise<void> }, locate: (path: unknown) => { real: string }) {
  const opened: { api: string; path: string }[] = []

  const toTemp = (fixture: string) => {
    if (!existsSync(fixture)) throw new Error(`fixture file ${fixture} does not exist`)
    const name = `${randomBytes(8).toString('hex')}${extname(fixture).toLowerCase()}`
    copyFileSync(fixture, join(device.tempDir, `tmp_${name}`))
    return { path: `${TEMP_PREFIX}${name}`, size: statSync(fixture).size }
  }

  const next = (queue: PickAnswer[], api: string, count: number): string[] => {
    const answer = queue.shift()
    if (answer === undefined) {
      ctx.violation(`${api} opened, but the test scripted no pick (device.willPick…)`)
      throw new WxFail('cancel')
    }
    if (answer === 'cancel') throw new WxFail('cancel')
    if (answer.files.length > count) throw new Error(`${api}: the test picks ${answer.files.length} files, the app allows ${count}`)
    return answer.files
  }

  const checkCount = (api: string, value: unknown, fallback: number, max: number): number => {
    const count = value === undefined ? fallback : Number(value)
    if (!Number.isInteger(count) || count < 1 || count > max) {
      ctx.violation(`${api}: count ${String(value)} is outside 1–${max}`)
      throw new WxFail(`parameter error: count should be between 1 and ${max}`)
    }
    return count
  }

  return {
    opened,
    api: {
      chooseMedia: asyncApi(ctx, 'chooseMedia', async (o) => {
        const count = checkCount('chooseMedia', o.count, 9, 20)
        await privacy.ask('chooseMedia')
        const types = Array.isArray(o.mediaType) ? (o.mediaType as string[]) : ['image', 'video']
        const files = next(device.mediaPicks, 'chooseMedia', count)
        for (const f of files) {
          const isImage = IMAGE_EXT.has(extname(f).toLowerCase())
          if (!types.includes(isImage ? 'image' : 'video')) throw new Error(`chooseMedia: the app asked for ${types.join('/')}, the test picks ${basename(f)}`)
        }
        return {
          type: 'image',
          tempFiles: files.map((f) => {
            const t = toTemp(f)
            return { tempFilePath: t.path, size: t.size, fileType: 'image', width: 0, height: 0, duration: 0, thumbTempFilePath: '' }
          }),
        }
      }),
      chooseMessageFile: asyncApi(ctx, 'chooseMessageFile', async (o) => {
        const count = checkCount('chooseMessageFile', o.count, 1, 100)
        await privacy.ask('chooseMessageFile')
        const files = next(device.messageFilePicks, 'chooseMessageFile', count)
        const allowed = Array.isArray(o.extension) ? (o.extension as string[]).map((e) => e.replace(/^\./, '').toLowerCase()) : undefined
        for (const f of files) {
          const ext = extname(f).slice(1).toLowerCase()
          if (allowed && !allowed.includes(ext)) throw new Error(`chooseMessageFile: the app allows only ${allowed.join(', ')}; the test picks ${basename(f)}`)
        }
        return {
          tempFiles: files.map((f) => {
            const t = toTemp(f)
            return { path: t.path, size: t.size, name: basename(f), type: 'file', time: Math.floor(Date.now() / 1000) }
          }),
        }
      }),
      previewImage: asyncApi(ctx, 'previewImage', (o) => {
        const urls = Array.isArray(o.urls) ? (o.urls as string[]) : []
        if (urls.length === 0) throw new WxFail('parameter error: urls should not be empty')
        for (const u of urls) if (!existsSync(locate(u).real)) throw new WxFail(`file not found ${u}`)
        opened.push({ api: 'previewImage', path: String(o.current ?? urls[0]) })
      }),
      openDocument: asyncApi(ctx, 'openDocument', (o) => {
        if (!existsSync(locate(o.filePath).real)) throw new WxFail(`file not found ${String(o.filePath)}`)
        opened.push({ api: 'openDocument', path: String(o.filePath) })
      }),
    },
  }
}
