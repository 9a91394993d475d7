/**
 * Arguments as the native layer takes them: JSON, converted in one generic pass.
 *
 * @module
 */
export {};
