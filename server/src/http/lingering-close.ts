/**
 * Lingering close, as nginx does it (`lingering_close`): when the server answers an error before it
 * has read the request body (a body over the limit, a refused upload) it must close the connection,
 * since the client may go on sending. Closing a socket that still holds unread bytes makes the
 * kernel send a TCP reset, and the client's kernel then drops the answer it had already received:
 * the phone sees "connection reset" and retries a request that can never succeed, instead of reading
 * the 413 that says why. So the socket is half-closed instead (the answer, then FIN), and what the
 * client still sends is read and thrown away, for a bounded time and number of bytes, before the
 * socket is destroyed.
 */
import type { FastifyInstance } from 'fastify'
import type { Socket } from 'node:net'

export interface LingeringOptions {
  /** Longest the server keeps reading after its answer (default 5 s). */
  maxMs?: number
  /** Most bytes it reads and discards after its answer (default 2 MiB). */
  maxBytes?: number
}

const ARMED = Symbol('lingeringClose')

/** Makes the next `destroySoon` of this socket (Node's close after a `Connection: close` answer) linger. */
export function lingerOnClose(socket: Socket, { maxMs = 5000, maxBytes = 2 * 1024 * 1024 }: LingeringOptions = {}): void {
  const s = socket as Socket & { [ARMED]?: boolean; destroySoon?: () => void }
  if (s[ARMED] || s.destroyed) return
  s[ARMED] = true
  s.destroySoon = function lingeringDestroySoon(this: Socket) {
    let seen = 0
    const done = () => this.destroy()
    const timer = setTimeout(done, maxMs)
    timer.unref()
    this.on('data', (chunk: Buffer) => {
      seen += chunk.length
      if (seen > maxBytes) done()
    })
    this.once('end', done)
    this.once('close', () => clearTimeout(timer))
    this.end()
    this.resume()
  }
}

/** Every answer that closes a connection with its request body unread lingers (see above). */
export function installLingeringClose(app: FastifyInstance, options: LingeringOptions = {}): void {
  app.addHook('onSend', async (request, reply) => {
    const connection = reply.getHeader('connection')
    // (No socket left when the body stream was destroyed, e.g. after a failed write to disk.)
    const socket = request.raw.socket as Socket | null
    if (typeof connection === 'string' && connection.toLowerCase() === 'close' && !request.raw.complete && socket) {
      lingerOnClose(socket, options)
    }
  })
}
