/**
 * Authentication of case requests (docs/protocol.md §18.4): the header `Case-Auth: <base64url of
 * A, no padding, 43 characters>`, strictly parsed; the case is the accepted submission whose
 * verifier is V = HMAC(pepper, A). No scrypt on the server (the phone ran it), so a lookup costs
 * one HMAC and one indexed read; what bounds guessing is the search space (10^16 receipts × the
 * phone's scrypt per guess), the per-client limit on failed authentications, and the rate limits.
 *
 * Timing: every answer to a request carrying Case-Auth, found or not, right or wrong, success or
 * error, is sent no sooner than `statusMinMs` after the request reached the handler; a wrong A
 * and an unknown one take exactly the same path (one lookup that finds nothing).
 */
import type { FastifyRequest } from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiError } from '../errors'
import { clientKey } from '../http/client-address'
import { WindowStore } from '../http/rate-store'
import { CASE_AUTH_PATTERN } from '../routes/case-schemas'
import type { CaseRecord } from '../repository'
import type { Services } from '../services'

const AUTH = new RegExp(CASE_AUTH_PATTERN)
const WINDOW_MS = 60_000
/** Failed authentications per client address (IPv6: /64) per minute over all case endpoints and finalize (RECEIPT_IN_USE). */
export const MAX_AUTH_FAILURES = 10

/** The 32 bytes of A from the Case-Auth header, or a 401/400. */
export function parseCaseAuthHeader(value: string | string[] | undefined): Buffer {
  if (value === undefined) throw new ApiError('CASE_AUTH_REQUIRED', 'The Case-Auth header is required')
  if (typeof value !== 'string' || !AUTH.test(value)) {
    throw new ApiError('INVALID_CASE_AUTH', 'Case-Auth must be base64url (no padding) of 32 bytes: 43 characters')
  }
  return Buffer.from(value, 'base64url')
}

/**
 * Failed authentications per client, one counter for every route that can tell whether an
 * authenticator exists: a case lookup that finds nothing (every case endpoint) and a finalize
 * answered RECEIPT_IN_USE. In memory only, by client key (no address is stored), per instance.
 * One instance of the app holds one of these, shared by its route plugins.
 */
export class AuthFailures {
  private readonly store = new WindowStore()

  /** 429 AUTH_FAILURES once the client failed MAX_AUTH_FAILURES times in the last minute. */
  check(ip: string): void {
    if (this.store.peek(clientKey(ip), WINDOW_MS) >= MAX_AUTH_FAILURES) {
      throw new ApiError('AUTH_FAILURES', 'Too many failed attempts from this network; retry in a minute')
    }
  }

  count(ip: string): void {
    this.store.hit(clientKey(ip), WINDOW_MS)
  }
}

export class CaseAuthenticator {
  constructor(
    private readonly services: Services,
    readonly failures: AuthFailures,
  ) {}

  /** The case of the request's Case-Auth, or CASE_NOT_FOUND (counted against the client). */
  async authenticate(request: FastifyRequest): Promise<CaseRecord> {
    this.failures.check(request.ip)
    const A = parseCaseAuthHeader(request.headers['case-auth'])
    const found = await this.services.repository.cases.findCase(this.services.receipts.verifier(A))
    A.fill(0)
    if (!found) {
      this.failures.count(request.ip)
      throw new ApiError('CASE_NOT_FOUND', 'No case has this authenticator')
    }
    return found
  }

  /**
   * Runs a case request: authenticates, then `handle`, and answers (result or error) no sooner
   * than statusMinMs after it started.
   */
  async run<T>(request: FastifyRequest, handle: (found: CaseRecord) => Promise<T>): Promise<T> {
    const started = performance.now()
    let outcome: { ok: T } | { err: unknown }
    try {
      outcome = { ok: await handle(await this.authenticate(request)) }
    } catch (err) {
      outcome = { err }
    }
    const wait = this.services.statusMinMs - (performance.now() - started)
    if (wait > 0) await sleep(wait)
    if ('err' in outcome) throw outcome.err
    return outcome.ok
  }
}
