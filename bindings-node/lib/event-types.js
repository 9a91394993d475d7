"use strict";
/**
 * The events `client.events()` yields and `verifyWebhook` returns: one per change to the
 * account's posts, profiles or connections, each about one of the models.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
