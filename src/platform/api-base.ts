/**
 * Browser (H5): the intake server serves the H5 app itself, so the API is on the same origin and
 * the default base is '' (relative URLs). A build may override it with TARO_APP_API_BASE.
 */
export const DEFAULT_API_BASE = ''
