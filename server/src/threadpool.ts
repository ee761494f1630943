/**
 * Imported first by main.ts: more libuv threads, so that fsyncs of uploads do not queue behind
 * scrypt (receipts) on the default pool of 4. Must run before anything uses the pool.
 */
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16'
export {}
