"use strict";
/**
 * What the API returns. Results are plain objects holding exactly the API's camelCase JSON,
 * timestamps as ISO 8601 strings (`"2025-01-15T14:01:00Z"`): fields this version does not
 * know yet are kept as the server sent them, and no key is added that the server did not
 * send. A field the documented answer always has is typed as present (should a server leave
 * it out, it is `undefined`); one it may lack is optional. The test suite checks these
 * interfaces against the core's model list.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
