/**
 * Builds the WeChat encryption worker (src/workers/crypto/index.weapp.ts) into
 * <output>/workers/crypto/index.js as one self-contained ES5 file: a mini-program worker may not
 * require anything outside its folder, so Taro's shared chunks cannot be used. Runs as a Taro plugin
 * after every weapp build (config/index.ts), and from tests, which run the result in a thread.
 */
import path from 'node:path'
import webpack from 'webpack'

const ROOT = path.resolve(__dirname, '..')
export const WORKER_ENTRY = path.join(ROOT, 'src', 'workers', 'crypto', 'index.weapp.ts')
/** The folder app.json names in "workers", and the script inside it. */
export const WORKERS_DIR = 'workers'
export const WORKER_FILE = path.join(WORKERS_DIR, 'crypto', 'index.js')

export function buildCryptoWorker(outputRoot: string, options: { minimize?: boolean } = {}): Promise<{ file: string; bytes: number }> {
  const compiler = webpack({
    mode: 'production',
    context: ROOT,
    target: ['webworker', 'es5'],
    entry: WORKER_ENTRY,
    devtool: false,
    output: { path: path.join(outputRoot, path.dirname(WORKER_FILE)), filename: path.basename(WORKER_FILE), iife: true, clean: false },
    resolve: { extensions: ['.weapp.ts', '.ts', '.js'], alias: { '@': path.join(ROOT, 'src') } },
    module: { rules: [{ test: /\.ts$/, use: path.join(__dirname, 'ts-transpile-loader.js') }] },
    optimization: { minimize: options.minimize ?? true, splitChunks: false, runtimeChunk: false },
    performance: { hints: false },
  })
  return new Promise((resolve, reject) => {
    compiler.run((error, stats) => {
      compiler.close(() => undefined)
      if (error) return reject(error)
      if (!stats || stats.hasErrors()) return reject(new Error(stats?.toString({ all: false, errors: true }) ?? 'worker build failed'))
      const file = path.join(outputRoot, WORKER_FILE)
      const asset = stats.toJson({ assets: true }).assets?.find((a) => a.name === path.basename(WORKER_FILE))
      resolve({ file, bytes: asset?.size ?? 0 })
    })
  })
}

/** Taro plugin: after a weapp build, emit the worker beside the pages. */
export default (ctx: { onBuildFinish(fn: (opts: { error?: unknown; isWatch?: boolean }) => Promise<void> | void): void; paths: { outputPath: string } }) => {
  ctx.onBuildFinish(async ({ error }) => {
    if (error || process.env.TARO_ENV !== 'weapp') return
    const { file, bytes } = await buildCryptoWorker(ctx.paths.outputPath)
    console.log(`encryption worker: ${path.relative(ROOT, file)} (${(bytes / 1024).toFixed(1)} KiB)`)
  })
}
