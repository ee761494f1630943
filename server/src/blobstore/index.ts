export * from './types'
export { FsBlobStore } from './fs'
