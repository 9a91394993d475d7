/**
 * Arguments as the native layer takes them: JSON, converted in one generic pass.
 *
 * @module
 */

import { describe, rangeError, typeError } from './options.js'

/** A JSON value as the native layer takes it. @internal */
export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire }

/**
 * Arguments as JSON, in one generic pass: a `Date` becomes its ISO string (an invalid one is
 * a `RangeError`), `undefined` is dropped (it means "not given", as `null` does), and values
 * JSON cannot hold are refused with a `TypeError` / `RangeError` naming where they are.
 *
 * @internal
 */
export function toWire (value: unknown, path: string): Wire {
  if (path === '' && isFlat(value)) return value
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw rangeError(`${path} must be a finite number, got ${value}`)
      return value
    case 'object': {
      if (value === null) return null
      if (value instanceof Date) {
        const time = value.getTime()
        if (Number.isNaN(time)) throw rangeError(`${path} is an invalid Date`)
        return value.toISOString()
      }
      if (Array.isArray(value)) return value.map((item, i) => toWire(item, `${path}[${i}]`))
      const out: { [key: string]: Wire } = {}
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined) out[key] = toWire(item, path === '' ? key : `${path}.${key}`)
      }
      return out
    }
    default:
      throw typeError(`${path || 'the arguments'} must be JSON data, got ${describe(value)}`)
  }
}

/**
 * Whether `value` is already what `toWire` would make of it, as the native layer reads it: a
 * plain object whose own values are strings, booleans, `null`, finite numbers or `undefined`
 * (which the native layer skips, as `toWire` drops it). Most calls' arguments are; they are
 * then passed as they are rather than copied.
 */
function isFlat (value: unknown): value is { [key: string]: Wire } {
  if (value === null || typeof value !== 'object') return false
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false
    const item: unknown = (value as Record<string, unknown>)[key]
    switch (typeof item) {
      case 'string':
      case 'boolean':
      case 'undefined':
        continue
      case 'number':
        if (Number.isFinite(item)) continue
        return false
      default:
        if (item === null) continue
        return false
    }
  }
  return true
}
