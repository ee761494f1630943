/**
 * The runtime must catch real mistakes, or a green walk means nothing. Each test breaks a
 * temporary copy of dist/weapp the way a real defect would, and the same walk must fail with a
 * clear error naming the mistake.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { walkFromDetails } from './flow'
import { closeAll, copyOfBuild, launch, newDevice } from './harness'

afterEach(closeAll)

const ENTRY = { path: 'pages/index/index', query: { scene: encodeURIComponent('b=yd&c=loan') }, scene: 1047 }

async function walk(dist: string): Promise<void> {
  const device = newDevice()
  const { screen } = await launch(device, ENTRY, dist)
  screen.timeout = 3000
  await walkFromDetails(screen, device, 'none')
}

/** The walk's failure, printed so that the run shows how the runtime reports the mistake. */
async function failureOf(dist: string, name: string, expected: RegExp): Promise<string> {
  const error = await walk(dist).then(
    () => new Error('the walk passed'),
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  )
  const line = error.message.split('\n').find((l) => expected.test(l)) ?? error.message.split('\n').slice(0, 2).join(' | ')
  process.stdout.write(`[weapp self-test] ${name}: ${line}\n`)
  return error.message
}

/** Puts `code` at the top of a built page file, after its "use strict". */
function inject(dist: string, page: string, code: string): void {
  const file = join(dist, `${page}.js`)
  const source = readFileSync(file, 'utf8')
  writeFileSync(file, source.replace(/^("use strict";)?/, (m) => `${m}${code};`))
}

test('the unbroken copy walks through (the control for the tests below)', async () => {
  await expect(walk(copyOfBuild())).resolves.toBeUndefined()
})

test('a page that touches `document` fails the walk: WeChat has no DOM', async () => {
  const dist = copyOfBuild()
  inject(dist, 'report/details/index', 'document.createElement("div")')
  const expected = /app error in report\/details\/index\.js: ReferenceError: document is not defined/
  expect(await failureOf(dist, 'document', expected)).toMatch(expected)
})

test('a page missing from app.json fails the walk when the flow navigates to it', async () => {
  const dist = copyOfBuild()
  const appJson = JSON.parse(readFileSync(join(dist, 'app.json'), 'utf8'))
  appJson.subPackages[0].pages = appJson.subPackages[0].pages.filter((p: string) => p !== 'evidence/index')
  writeFileSync(join(dist, 'app.json'), JSON.stringify(appJson))
  // Each step opens the next on top of itself (issue 12), so the navigateTo to the missing page fails.
  const expected = /WeChat rule broken: navigateTo\("\/report\/evidence\/index\?id=[0-9a-f]+"\): page "report\/evidence\/index" is not in app.json/
  expect(await failureOf(dist, 'page missing from app.json', expected)).toMatch(expected)
})

test('a setData over 1 MB fails the walk', async () => {
  const dist = copyOfBuild()
  // A page that puts 1.1 MB into its data when it is shown (as a page holding a picture as base64 would).
  inject(
    dist,
    'report/evidence/index',
    'var realPage = Page; Page = function (config) { var show = config.onShow; config.onShow = function () { this.setData({ preview: new Array(1100001).join("x") }); return show && show.apply(this, arguments) }; return realPage(config) }',
  )
  const expected = /WeChat rule broken: report\/evidence\/index: setData of 1100\d{3} bytes is over WeChat's 1 MB limit/
  expect(await failureOf(dist, 'setData over 1 MB', expected)).toMatch(expected)
})
