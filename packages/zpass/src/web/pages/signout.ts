import { endSession } from '../../domain/sessions/sessions.js';
import { storedAddress } from '../../edge/address.js';
import { formExpired, PAGE_ROUTE, type Page, readForm, redirect } from '../kit/page.js';
import { clearSession, sessionCookie, sessionCsrfValid, sessionOf } from '../kit/session.js';

/** `POST /signout`: ends the session (its form is on every signed-in page). */
export const signOutPage: Page = (app, { ctx }) => {
  app.post('/signout', PAGE_ROUTE, async (request, reply) => {
    const id = sessionCookie(request);
    const f = readForm(request, ['csrf']);
    const current = await sessionOf(ctx, request);
    if (current && !sessionCsrfValid(current, f.csrf)) return formExpired(reply, '/account/password');
    if (current) await endSession(ctx, id, { ip: storedAddress(request) });
    if (id) clearSession(request, reply);
    return redirect(reply, '/signin?signed_out=1');
  });
};
