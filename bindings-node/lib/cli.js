#!/usr/bin/env node
"use strict";
/**
 * The package's `postcore` bin (`npx postcore --help`): the `postcore` command line, the Rust
 * program also installed by `cargo install --path cli` and `pip install postcore`, built into
 * the addon. Every endpoint from a shell, the resumable bulk import, and the local server.
 *
 * It runs in a process of its own and blocks it until the command ends; exit status `0` ok,
 * `1` API or network error, `2` usage error, `130` interrupted.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
const native = require("../native.js");
process.exitCode = native.cliMain(['postcore', ...process.argv.slice(2)]);
