/**
 * The one request wrapper for the workstation's own local API: same origin, session cookie,
 * X-Workstation header on every request, `{code, message}` errors turned into ApiError with the
 * server's plain Chinese message.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** The form field the error is about (e.g. a certificate file in the connection settings). */
    readonly field?: string,
  ) {
    super(message)
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers: { 'x-workstation': '1', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError('WORKSTATION_DOWN', '工作站程序没有响应：它可能已经关闭。请在终端中重新运行 npm run workstation。', 0)
  }
  const text = await res.text()
  let body: unknown
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    body = undefined
  }
  if (!res.ok) {
    const b = body as { code?: string; message?: string; field?: unknown } | undefined
    throw new ApiError(b?.code ?? 'ERROR', b?.message ?? `请求失败（${res.status}）。`, res.status, typeof b?.field === 'string' ? b.field : undefined)
  }
  return body as T
}

export const caseFileUrl = (id: string, n: number, inline: boolean) => `/api/cases/${id}/files/${n}${inline ? '?view=inline' : ''}`
