/**
 * What the build tells the service worker (config/h5/shell.ts writes it into sw.js): every file of
 * one H5 release, with the SHA-256 of its bytes, and the release's version derived from them.
 */
export interface ShellFile {
  /** Absolute path on this origin, e.g. `/js/app.1a2b3c4d.js`, `/index.html`. */
  url: string
  /** Size of the file in bytes (decoded, whatever Content-Encoding the server used). */
  size: number
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: string
  /** The name carries a content hash, so a copy in the HTTP cache is this exact file. */
  hashed: boolean
}

export interface ShellManifest {
  /** Hash of the file list and contents: a new release is a new version, an identical build is not. */
  version: string
  files: ShellFile[]
}

/** Every cache this app creates starts with this; one cache per release. */
export const SHELL_CACHE_PREFIX = 'clue-shell-'
/** Holds the list of activated versions (newest last), so cleanup knows which one came before. */
export const SHELL_META_CACHE = 'clue-shell-meta'
/** The page served for every navigation into the app (the hash router does the rest). */
export const SHELL_PAGE = '/index.html'
