/**
 * Browsers have no WeChat privacy authorization: picking a file is its own consent, so nothing
 * ever asks and `answer` is never needed. The WeChat version is privacy.weapp.ts.
 */
export type PrivacyRequest = (answer: (agreed: boolean) => void) => void

export function listenForPrivacyRequests(_onRequest: PrivacyRequest): () => void {
  return () => undefined
}
