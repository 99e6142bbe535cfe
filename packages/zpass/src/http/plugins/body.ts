import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { Errors } from '../../domain/errors.js';

/** Largest request body accepted, in bytes, for every content type. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Every write accepts JSON, multipart/form-data (what Zoom's Postman collection
 * and curl send) and application/x-www-form-urlencoded. A JSON body must be an object.
 */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_req, body, done) => {
      let value: unknown;
      try {
        value = JSON.parse(body as string);
      } catch {
        return done(Errors.invalidJson(), undefined);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        return done(Errors.invalidJson(), undefined);
      done(null, value);
    },
  );
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fieldSize: BODY_LIMIT, fields: 32, files: 0, parts: 33, fileSize: BODY_LIMIT, headerPairs: 64 },
    throwFileSizeLimit: true,
  });
}
