// A minimal reverse proxy for the tests, run as its own process: listens on 127.0.0.1 (a free
// port), forwards every request to TARGET (http://127.0.0.1:<port>) and appends the client's
// address to X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for does. Prints "proxy <port>".
import http from 'node:http'

const target = new URL(process.env.TARGET)
const server = http.createServer((req, res) => {
  const forwarded = req.headers['x-forwarded-for']
  const headers = { ...req.headers, 'x-forwarded-for': forwarded ? `${forwarded}, ${req.socket.remoteAddress}` : req.socket.remoteAddress }
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, localAddress: '127.0.0.1' },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    },
  )
  upstream.on('error', () => {
    res.writeHead(502)
    res.end()
  })
  req.pipe(upstream)
})
server.listen(0, '127.0.0.1', () => process.stdout.write(`proxy ${server.address().port}\n`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
