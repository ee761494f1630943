/// <reference types="@tarojs/taro" />

declare module '*.png'
declare module '*.svg'
declare module '*.css'

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'h5' | undefined
    /** Base URL of the intake API, set per build (see README). */
    TARO_APP_API_BASE?: string
  }
}

/**
 * Defined at build time by config/trust.ts from the campaign configuration: the bureau's signing
 * key (trust anchor) and whether this is a release build. See src/keys/anchor.ts.
 */
declare const CLUE_TRUST: {
  anchor: { kid: string; publicKey: string; development: boolean }
  release: boolean
}
