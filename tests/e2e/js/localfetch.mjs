// A global fetch() that also reads local files (file:///abs, file:/abs, /abs), with Range and
// HEAD support, so icebird and hyparquet can read tables on local disk. Other URLs go to the
// real fetch. Usage: import { installLocalFetch } from './localfetch.mjs'; installLocalFetch()
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const realFetch = globalThis.fetch

export function installLocalFetch(rewrites = {}) {
  globalThis.fetch = async (input, init = {}) => {
    let u = typeof input === 'string' ? input : input.url ?? String(input)
    for (const [from, to] of Object.entries(rewrites)) if (u.startsWith(from)) u = to + u.slice(from.length)
    let path = null
    if (u.startsWith('file://')) path = fileURLToPath(u)
    else if (u.startsWith('file:/')) path = u.slice(5)
    else if (u.startsWith('/')) path = u
    if (!path) return realFetch(u, init)
    let buf
    try {
      buf = await readFile(path)
    } catch {
      return new Response('not found', { status: 404, statusText: 'Not Found' })
    }
    const headers = new Headers(init.headers)
    if (init.method === 'HEAD') {
      return new Response(null, { status: 200, headers: { 'Content-Length': String(buf.length) } })
    }
    const range = headers.get('Range')
    if (range) {
      const m = /bytes=(\d+)-(\d*)/.exec(range)
      const start = Number(m[1])
      const end = m[2] === '' ? buf.length - 1 : Math.min(Number(m[2]), buf.length - 1)
      return new Response(buf.subarray(start, end + 1), {
        status: 206,
        headers: { 'Content-Range': `bytes ${start}-${end}/${buf.length}` },
      })
    }
    return new Response(buf, { status: 200, headers: { 'Content-Length': String(buf.length) } })
  }
}

// JSON.stringify replacer for BigInt, Date and binary values.
export function jsonReplacer(_key, v) {
  if (typeof v === 'bigint') return v.toString()
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') }
  return v
}
