export * from './types'
export { SqliteRepository, DATABASE_FILE } from './sqlite'
