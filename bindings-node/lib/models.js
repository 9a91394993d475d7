"use strict";
/**
 * What the API returns. Results are plain objects in the API's camelCase JSON, timestamps as
 * ISO 8601 strings (`"2025-01-15T14:01:00Z"`); fields this version does not know yet are
 * kept as the server sent them. Every known field is present (`null` when the server did not
 * send it). The test suite checks these interfaces against the core's model list.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
