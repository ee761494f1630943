export * from './types'
export * from './case-types'
export { SqliteRepository, DATABASE_FILE } from './sqlite'
