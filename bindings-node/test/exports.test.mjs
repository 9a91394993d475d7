// The lists the core owns (error kinds, models, operations) against what the package exports:
// a class per error kind with the core's parent, an interface per model with exactly the
// core's fields, a method per operation. Adding any of them to the core fails here until the
// TypeScript layer has it too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import * as postcore from 'postcore'
import { PACKAGE_DIR, declaredInterfaces, native } from './helpers.mjs'

test('the exported error classes are exactly the core\'s, with the core\'s parents', () => {
  const kinds = native.errorClasses()
  const raised = kinds.filter((k) => !k.argumentError)
  // The argument kinds are the language's own errors, not exported classes.
  assert.deepEqual(kinds.filter((k) => k.argumentError).map((k) => k.name).sort(),
    ['InvalidArgumentError', 'InvalidArgumentTypeError'])
  for (const { name, parent } of raised) {
    const Class = postcore[name]
    assert.equal(typeof Class, 'function', `${name} is exported`)
    assert.equal(Object.getPrototypeOf(Class), postcore[parent], `${name} extends ${parent}`)
    assert.equal(Object.getPrototypeOf(Class.prototype), postcore[parent].prototype)
    const error = new Class('boom')
    assert.equal(error.name, name)
    assert.ok(error instanceof postcore.PostcoreError && error instanceof Error)
  }
  assert.equal(Object.getPrototypeOf(postcore.PostcoreError), Error)
  const exported = Object.entries(postcore)
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
    .map(([name]) => name)
    .sort()
  assert.deepEqual(exported, ['PostcoreError', ...raised.map((k) => k.name)].sort(),
    'no exported error class beyond the core\'s list')
})

test('every model of the core is an interface in lib/*.d.ts with exactly its fields', () => {
  const interfaces = declaredInterfaces()
  const models = native.models()
  // No count of our own: the interfaces of lib/models.d.ts (generated from the core's table)
  // are exactly the core's models.
  const modelFiles = [...interfaces].filter(([, { file }]) => file === 'models.d.ts').map(([name]) => name)
  assert.deepEqual(modelFiles.sort(), models.map((m) => m.name).sort(), 'the interfaces of models.d.ts are the core\'s models')
  for (const { name, fields } of models) {
    const declared = interfaces.get(name)
    assert.ok(declared, `interface ${name} is declared in lib/*.d.ts`)
    assert.deepEqual([...declared.fields].sort(), [...fields].sort(), `fields of ${name} (${declared.file})`)
  }
  // And every model is a public type of the package.
  const index = readFileSync(path.join(PACKAGE_DIR, 'lib', 'index.d.ts'), 'utf8')
  for (const { name } of models) assert.match(index, new RegExp(`\\b${name}\\b`), `${name} is exported`)
})

/** The Node method of an operation: camelCase of the Python name, `linkedInConnectUrl` as the issue spells it. */
function nodeMethod (operation) {
  const [resource, method] = operation.split('.')
  const camel = method.replace(/_([a-z])/g, (_, c) => c.toUpperCase()).replace(/^linkedin/, 'linkedIn')
  return [resource, camel]
}

test('every operation of the core has a method, and every method an operation', () => {
  const client = new postcore.Postcore({ apiKey: 'pc_k', baseUrl: 'http://127.0.0.1:9' })
  const operations = native.operations()
  const expected = new Map()
  for (const { name } of operations) {
    if (name === 'events.next') {
      // The step of the async iterator `client.events()` returns.
      const events = client.events()
      assert.ok(events instanceof postcore.Events && typeof events.next === 'function', name)
      continue
    }
    const [resource, method] = nodeMethod(name)
    assert.equal(typeof client[resource]?.[method], 'function', `client.${resource}.${method} (${name})`)
    expected.set(resource, [...(expected.get(resource) ?? []), method])
  }
  for (const [resource, methods] of expected) {
    const own = Object.getOwnPropertyNames(Object.getPrototypeOf(client[resource])).filter((n) => n !== 'constructor')
    assert.deepEqual(own.sort(), methods.sort(), `client.${resource} has no method without an operation`)
  }
  // And the client has no resource the table does not name: its methods are exactly the
  // table's operations, however many there are (no count of our own).
  const resources = Object.keys(client).filter((k) => {
    const value = client[k]
    return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) !== Object.prototype
  })
  assert.deepEqual(resources.sort(), [...expected.keys()].sort(), 'the client\'s resources are the table\'s')
  assert.equal(client.profiles.create.length <= 2, true)
  assert.equal(typeof client.createProfile, 'function')
  assert.equal(typeof postcore.createProfile, 'function')
})

test('the package exports what the README documents', () => {
  for (const name of ['Postcore', 'createProfile', 'VERSION', 'APIPromise', 'Profiles', 'Posts', 'Events', 'verifyWebhook', 'signWebhook']) {
    assert.ok(name in postcore, `${name} is exported`)
  }
  assert.match(postcore.VERSION, /^\d+\.\d+\.\d+/)
})

test('the ESM entries name every export of the CommonJS ones, sharing their values', async () => {
  const require = createRequire(import.meta.url)
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'))
  for (const [specifier, entry] of [['postcore', 'index'], ['postcore/testing', 'testing'], ['postcore/webhooks', 'webhooks']]) {
    const subpath = specifier === 'postcore' ? '.' : `./${entry}`
    assert.deepEqual(manifest.exports[subpath], {
      import: { types: `./lib/${entry}.d.mts`, default: `./lib/${entry}.mjs` },
      require: { types: `./lib/${entry}.d.ts`, default: `./lib/${entry}.js` }
    })
    const cjs = require(specifier)
    const esm = await import(specifier)
    assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), Object.keys(cjs).sort(), specifier)
    for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], `${specifier} ${name} is one value`)
    assert.equal(esm.default, cjs)
    // Declared in the file, so no runtime has to detect them in the CommonJS source.
    const source = readFileSync(path.join(PACKAGE_DIR, 'lib', `${entry}.mjs`), 'utf8')
    for (const name of Object.keys(cjs)) assert.match(source, new RegExp(`^  ${name},?$`, 'm'), `${entry}.mjs names ${name}`)
  }
})
