/**
 * WeChat: requests need an absolute URL. The default points at a server on this machine, for
 * WeChat DevTools with "不校验合法域名"; release builds set TARO_APP_API_BASE (see README).
 */
export const DEFAULT_API_BASE = 'http://127.0.0.1:8080'
