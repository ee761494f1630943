/**
 * The page list Taro builds from (app.config.ts) matches the files under src: every page declared
 * in routes.ts has its component and its page config, and no page file is left unregistered.
 */
import { existsSync, readdirSync } from 'fs'
import { join, resolve } from 'path'
import { MAIN_PAGES, REPORT_PAGES, REPORT_ROOT, pathOf, urlOf, type PageName } from '@/routes'

const SRC = resolve(__dirname, '../../src')

interface AppConfig {
  pages: string[]
  subPackages: { root: string; pages: string[] }[]
  window: { navigationBarTitleText: string }
}

type Shimmed = typeof globalThis & { defineAppConfig?: (x: unknown) => unknown; definePageConfig?: (x: unknown) => unknown }

// app.config.ts and the page configs call Taro's build-time globals; shim them before loading.
const g = globalThis as Shimmed
g.defineAppConfig = (x) => x
g.definePageConfig = (x) => x
const config = (require('@/app.config') as { default: AppConfig }).default

afterAll(() => {
  delete g.defineAppConfig
  delete g.definePageConfig
})

/** Every page path of the built app, relative to src, e.g. "report/details/index". */
function configuredPages(): string[] {
  return [...config.pages, ...config.subPackages.flatMap((p) => p.pages.map((page) => `${p.root}/${page}`))]
}

/** Directories under `dir` that hold an index.tsx, as "<dir>/<name>/index". */
function pageFilesUnder(dir: string): string[] {
  return readdirSync(join(SRC, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(SRC, dir, e.name, 'index.tsx')))
    .map((e) => `${dir}/${e.name}/index`)
}

describe('app.config.ts', () => {
  it('lists the main pages, home first, and the report flow as one subpackage', () => {
    expect(config.pages).toEqual(Object.values(MAIN_PAGES))
    expect(config.pages[0]).toBe('pages/index/index')
    expect(config.subPackages).toEqual([{ root: REPORT_ROOT, pages: Object.values(REPORT_PAGES) }])
    expect(config.window.navigationBarTitleText).toBeTruthy()
  })

  it.each(configuredPages())('%s has index.tsx and index.config.ts with a title', (page) => {
    expect(existsSync(join(SRC, `${page}.tsx`))).toBe(true)
    expect(existsSync(join(SRC, `${page}.config.ts`))).toBe(true)
    const pageConfig = (require(join(SRC, `${page}.config.ts`)) as { default: { navigationBarTitleText?: string } }).default
    expect(pageConfig.navigationBarTitleText).toBeTruthy()
  })

  it('every page component under src is registered', () => {
    const onDisk = [...pageFilesUnder('pages'), ...pageFilesUnder(REPORT_ROOT)].sort()
    expect(onDisk).toEqual([...configuredPages()].sort())
  })

  it('declares the encryption worker folder, where the weapp build puts the worker wx.createWorker loads', () => {
    const { WORKERS_DIR, WORKER_FILE } = require('../../config/crypto-worker') as { WORKERS_DIR: string; WORKER_FILE: string }
    const { CRYPTO_WORKER_PATH } = require('@/platform/crypto-worker.weapp') as { CRYPTO_WORKER_PATH: string }
    expect((config as AppConfig & { workers?: string }).workers).toBe(WORKERS_DIR)
    expect(CRYPTO_WORKER_PATH).toBe(WORKER_FILE)
    expect(CRYPTO_WORKER_PATH.startsWith(`${WORKERS_DIR}/`)).toBe(true)
    expect(existsSync(join(SRC, 'workers', 'crypto', 'index.weapp.ts'))).toBe(true)
  })

  it('routes.ts paths point at configured pages', () => {
    const names = [...Object.keys(MAIN_PAGES), ...Object.keys(REPORT_PAGES)] as PageName[]
    for (const name of names) expect(configuredPages()).toContain(pathOf(name).slice(1))
  })

  it.each<[PageName, Record<string, string | undefined>, string]>([
    ['home', {}, '/pages/index/index'],
    ['details', { id: 'abc' }, '/report/details/index?id=abc'],
    ['details', { id: 'abc', from: 'review' }, '/report/details/index?id=abc&from=review'],
    ['category', { id: 'a b&c', from: undefined, empty: '' }, '/report/category/index?id=a%20b%26c'],
  ])('urlOf(%s, %j) = %s', (page, params, url) => {
    expect(urlOf(page, params)).toBe(url)
  })
})
