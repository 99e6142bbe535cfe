import { wantsPage } from '../../edge/audience.js';
import { PAGE_ROUTE, type Page, redirect } from '../kit/page.js';
import { sessionOf } from '../kit/session.js';

/** `GET /`: a browser is taken to the pages; any other client gets what no route gives (Zoom's 404). */
export const startPage: Page = (app, { ctx }) => {
  app.get('/', PAGE_ROUTE, async (request, reply) => {
    if (!wantsPage(request)) return reply.callNotFound();
    return redirect(reply, (await sessionOf(ctx, request)) ? '/account/password' : '/signin');
  });
};
