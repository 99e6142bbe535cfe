/**
 * Zoom's webhooks: check a request's signature and get its typed event, answer URL
 * validation, sign an event as a sender. Also importable alone as `@zpass/zoom-client/webhooks`.
 *
 * @packageDocumentation
 */
export { type WebhookErrorReason, ZoomWebhookError } from '../errors.js';
export * from './events.js';
export {
  DEFAULT_WEBHOOK_TOLERANCE,
  type SignedWebhook,
  type SignWebhookOptions,
  signWebhook,
  type UrlValidationResponse,
  urlValidationResponse,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookBody,
  type WebhookHeaders,
} from './signature.js';
