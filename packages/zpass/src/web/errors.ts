/**
 * The pages' error renderer: an HTML page for every error of a page's route, from the
 * policy both edges share (edge/errors.ts), and the page a browser gets at an address
 * where nothing is.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bodyLeftUnread, classify, isFault, logOutcome } from '../edge/errors.js';
import { setPageHeaders } from './headers.js';
import { messagePage } from './kit/markup.js';
import { BadForm, html } from './kit/page.js';

const START = { href: '/', text: 'Go to the start page' };

function sendPageError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof BadForm) {
    request.log.info({ status: 400 }, 'web form refused');
    return html(
      reply,
      400,
      messagePage({
        title: 'This form cannot be used',
        message: 'The form was not sent as this page sends it. Go back, reload the page and try again.',
        link: START,
      }),
    );
  }
  const mapped = classify(err);
  logOutcome(request, err, mapped);
  if (bodyLeftUnread(request)) reply.header('connection', 'close');
  if ('headers' in mapped && mapped.headers) reply.headers(mapped.headers);
  const overloaded = 'kind' in mapped && (mapped.kind === 'busy' || mapped.kind === 'unavailable');
  return html(
    reply,
    mapped.status,
    messagePage({
      title: isFault(mapped) || overloaded ? 'Something went wrong' : 'This request cannot be answered',
      // A fault's own text says nothing a user can act on (and may say what they should not see).
      message: isFault(mapped) ? 'Something went wrong on the server. Try again later.' : mapped.message,
      link: START,
    }),
  );
}

/** The pages' error handler: an HTML page for every error of the routes registered in `app`. */
export function registerPageErrors(app: FastifyInstance): void {
  app.setErrorHandler(sendPageError);
}

/** A browser that strays from the pages gets a page (`server.ts` sends it here). */
export function pageNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  setPageHeaders(request, reply);
  return html(
    reply,
    404,
    messagePage({
      title: 'There is no such page',
      message: 'Nothing is at this address. Check the link, or start again.',
      link: START,
    }),
  );
}
