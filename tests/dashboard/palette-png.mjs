// Turns a truecolor PNG screenshot into an 8-bit palette PNG (the 256 most frequent colours;
// every other pixel takes the nearest of them), which keeps a screenshot of a web page sharp at
// about a third of the size. No dependencies: the docs copy of the dashboard screenshot is made
// with it (DASHBOARD_SCREENSHOT_DOCS=1).

import zlib from 'node:zlib'

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32 (bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk (type, data) {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** The pixels of an 8-bit RGB or RGBA, non-interlaced PNG, as RGB rows. */
function decode (png) {
  let offset = SIGNATURE.length
  let width, height, channels
  const idat = []
  while (offset < png.length) {
    const length = png.readUInt32BE(offset)
    const type = png.toString('ascii', offset + 4, offset + 8)
    const data = png.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const [depth, colorType, , , interlace] = data.subarray(8, 13)
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG (depth ${depth}, colour type ${colorType}, interlace ${interlace})`)
      }
      channels = colorType === 6 ? 4 : 3
    } else if (type === 'IDAT') {
      idat.push(data)
    }
    offset += 12 + length
  }
  const raw = zlib.inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const rgb = Buffer.alloc(width * height * 3)
  let previous = Buffer.alloc(stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const row = Buffer.alloc(stride)
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels] : 0
      const b = previous[x]
      const c = x >= channels ? previous[x - channels] : 0
      let predictor = 0
      if (filter === 1) predictor = a
      else if (filter === 2) predictor = b
      else if (filter === 3) predictor = (a + b) >> 1
      else if (filter === 4) {
        const pa = Math.abs(b - c)
        const pb = Math.abs(a - c)
        const pc = Math.abs(a + b - 2 * c)
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      }
      row[x] = (line[x] + predictor) & 0xff
    }
    for (let x = 0; x < width; x++) row.copy(rgb, (y * width + x) * 3, x * channels, x * channels + 3)
    previous = row
  }
  return { width, height, rgb }
}

/** `png` (truecolor) as a palette PNG. */
export function toPalettePng (png) {
  const { width, height, rgb } = decode(png)
  const counts = new Map()
  for (let i = 0; i < rgb.length; i += 3) {
    const color = rgb.readUIntBE(i, 3)
    counts.set(color, (counts.get(color) || 0) + 1)
  }
  const palette = [...counts.entries()].sort((p, q) => q[1] - p[1]).slice(0, 256).map(([color]) => color)
  const index = new Map(palette.map((color, i) => [color, i]))
  const nearest = (color) => {
    let best = 0
    let bestDistance = Infinity
    const [r, g, b] = [color >> 16, (color >> 8) & 0xff, color & 0xff]
    palette.forEach((p, i) => {
      const d = 3 * (r - (p >> 16)) ** 2 + 4 * (g - ((p >> 8) & 0xff)) ** 2 + 2 * (b - (p & 0xff)) ** 2
      if (d < bestDistance) [best, bestDistance] = [i, d]
    })
    index.set(color, best)
    return best
  }
  const rows = Buffer.alloc(height * (width + 1))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const color = rgb.readUIntBE((y * width + x) * 3, 3)
      rows[y * (width + 1) + 1 + x] = index.has(color) ? index.get(color) : nearest(color)
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 3, 0, 0, 0], 8)
  const plte = Buffer.alloc(palette.length * 3)
  palette.forEach((color, i) => plte.writeUIntBE(color, i * 3, 3))
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('PLTE', plte),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}
